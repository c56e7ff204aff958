// Shims for jansson macros that do not import into Swift, and an allocation counter for leak tests.
#ifndef GENESYS_CJANSSON_SHIM_H
#define GENESYS_CJANSSON_SHIM_H

#include <stdlib.h>
#include <jansson.h>

static inline json_type gx_json_type(const json_t *value) {
    return json_typeof(value);
}

static inline int gx_json_is_true(const json_t *value) {
    return json_is_true(value);
}

/// Net jansson allocations made on the calling thread: parse and release happen on one thread,
/// so a parse that releases everything leaves this unchanged whatever other threads do.
static _Thread_local long gx_json_thread_live_allocations = 0;

static void *gx_json_counting_malloc(size_t size) {
    size_t *block = (size_t *)malloc(size + sizeof(size_t) * 2);
    if (block == NULL) return NULL;
    gx_json_thread_live_allocations += 1;
    return block + 2;
}

static void gx_json_counting_free(void *pointer) {
    if (pointer == NULL) return;
    gx_json_thread_live_allocations -= 1;
    free((size_t *)pointer - 2);
}

static inline void gx_json_install_counting_allocator(void) {
    json_set_alloc_funcs(gx_json_counting_malloc, gx_json_counting_free);
}

static inline long gx_json_live_allocations_on_this_thread(void) {
    return gx_json_thread_live_allocations;
}

#endif
