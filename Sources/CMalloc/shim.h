// glibc's malloc_trim and mallopt, which the Glibc module does not import (<malloc.h>).
#ifndef GENESYS_CMALLOC_SHIM_H
#define GENESYS_CMALLOC_SHIM_H

#include <malloc.h>

/// Returns the free memory of every arena to the system; 1 when some was returned.
static inline int gx_malloc_trim(void) {
    return malloc_trim(0);
}

/// Caps the number of malloc arenas (glibc's default is 8 per core); 1 on success.
static inline int gx_malloc_set_arena_max(int arenas) {
    return mallopt(M_ARENA_MAX, arenas);
}

#endif
