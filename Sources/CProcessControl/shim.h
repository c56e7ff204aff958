// Typed wrappers for prctl, which is variadic (Swift cannot call it), and the core-file limit.
#ifndef GENESYS_CPROCESSCONTROL_SHIM_H
#define GENESYS_CPROCESSCONTROL_SHIM_H

#include <sys/prctl.h>
#include <sys/resource.h>

/// Marks the process non-dumpable: no core file, no ptrace attach or /proc/<pid>/mem read by the same user.
static inline int gx_set_not_dumpable(void) {
    return prctl(PR_SET_DUMPABLE, 0UL, 0UL, 0UL, 0UL);
}

/// 1 when the process may dump core, 0 when not, -1 on error.
static inline int gx_get_dumpable(void) {
    return prctl(PR_GET_DUMPABLE, 0UL, 0UL, 0UL, 0UL);
}

/// Sets the core-file size limit to 0 (soft and hard), so not even a later PR_SET_DUMPABLE 1 writes one.
static inline int gx_limit_core_files_to_zero(void) {
    struct rlimit none = {0, 0};
    return setrlimit(RLIMIT_CORE, &none);
}

/// Names the calling thread (the kernel keeps 15 bytes): how a thread shows in `top -H` and /proc.
static inline int gx_name_this_thread(const char *name) {
    return prctl(PR_SET_NAME, (unsigned long)name, 0UL, 0UL, 0UL);
}

#endif
