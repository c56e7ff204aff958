// glibc's malloc_trim, which the Glibc module does not import (<malloc.h>).
#ifndef GENESYS_CMALLOC_SHIM_H
#define GENESYS_CMALLOC_SHIM_H

#include <malloc.h>

/// Returns the free memory of every arena to the system; 1 when some was returned.
static inline int gx_malloc_trim(void) {
    return malloc_trim(0);
}

#endif
