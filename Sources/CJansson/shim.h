// Shims for jansson macros that do not import into Swift, an allocation counter for leak tests, and the arena
// that parses allocate from.
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

/// A parse's nodes come from one arena (bump allocation in 64 KiB chunks) and go back to the system at once when the
/// last of them is freed: jansson allocates and frees every value separately, and with malloc that was a third of
/// the exporter's polling CPU. Every block carries a 16-byte header: the arena it came from, or NULL for malloc.
typedef struct gx_json_arena_chunk {
    struct gx_json_arena_chunk *next;
    size_t used;
    size_t size;
} gx_json_arena_chunk;

typedef struct gx_json_arena {
    gx_json_arena_chunk *chunks;
    long live;    // blocks handed out and not yet freed
    int open;     // still parsing: more blocks may come
} gx_json_arena;

/// The arena of the parse running on this thread, if any.
static _Thread_local gx_json_arena *gx_json_thread_arena = NULL;

enum { gx_json_arena_chunk_size = 64 * 1024, gx_json_arena_largest_block = 4 * 1024, gx_json_header = 16 };

static void gx_json_arena_release(gx_json_arena *arena) {
    gx_json_arena_chunk *chunk = arena->chunks;
    while (chunk != NULL) {
        gx_json_arena_chunk *next = chunk->next;
        free(chunk);
        chunk = next;
    }
    free(arena);
}

static void *gx_json_arena_block(gx_json_arena *arena, size_t size) {
    size_t needed = (size + gx_json_header + 15) & ~(size_t)15;
    gx_json_arena_chunk *chunk = arena->chunks;
    if (chunk == NULL || chunk->size - chunk->used < needed) {
        chunk = (gx_json_arena_chunk *)malloc(gx_json_arena_chunk_size);
        if (chunk == NULL) return NULL;
        chunk->next = arena->chunks;
        chunk->used = (sizeof(gx_json_arena_chunk) + 15) & ~(size_t)15;
        chunk->size = gx_json_arena_chunk_size;
        arena->chunks = chunk;
    }
    char *block = (char *)chunk + chunk->used;
    chunk->used += needed;
    arena->live += 1;
    return block;
}

static void *gx_json_counting_malloc(size_t size) {
    gx_json_arena *arena = gx_json_thread_arena;
    void **block;
    if (arena != NULL && size <= gx_json_arena_largest_block) {
        block = (void **)gx_json_arena_block(arena, size);
        if (block == NULL) return NULL;
        block[0] = arena;
    } else {
        block = (void **)malloc(size + gx_json_header);
        if (block == NULL) return NULL;
        block[0] = NULL;
    }
    gx_json_thread_live_allocations += 1;
    return (char *)block + gx_json_header;
}

static void gx_json_counting_free(void *pointer) {
    if (pointer == NULL) return;
    gx_json_thread_live_allocations -= 1;
    void **block = (void **)((char *)pointer - gx_json_header);
    gx_json_arena *arena = (gx_json_arena *)block[0];
    if (arena == NULL) {
        free(block);
        return;
    }
    arena->live -= 1;
    if (arena->live == 0 && !arena->open) gx_json_arena_release(arena);
}

static inline void gx_json_install_counting_allocator(void) {
    json_set_alloc_funcs(gx_json_counting_malloc, gx_json_counting_free);
}

/// Parses that follow on this thread, until `gx_json_arena_end`, allocate from a new arena.
static inline int gx_json_arena_begin(void) {
    gx_json_arena *arena = (gx_json_arena *)calloc(1, sizeof(gx_json_arena));
    if (arena == NULL) return 0;
    arena->open = 1;
    gx_json_thread_arena = arena;
    return 1;
}

/// Closes this thread's arena: it goes back to the system when its last block is freed (now, if none is live).
static inline void gx_json_arena_end(void) {
    gx_json_arena *arena = gx_json_thread_arena;
    gx_json_thread_arena = NULL;
    if (arena == NULL) return;
    arena->open = 0;
    if (arena->live == 0) gx_json_arena_release(arena);
}

static inline long gx_json_live_allocations_on_this_thread(void) {
    return gx_json_thread_live_allocations;
}

#endif
