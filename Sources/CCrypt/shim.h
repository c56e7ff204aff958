// A typed wrapper around libxcrypt's crypt_r for checking bcrypt hashes ($2a$, $2b$, $2y$).
#ifndef GENESYS_CCRYPT_SHIM_H
#define GENESYS_CCRYPT_SHIM_H

#include <crypt.h>
#include <stdlib.h>
#include <string.h>

/// 1 when `password` hashes to `hash` (the hash carries its own salt and cost), else 0.
/// crypt_data is ~32 KiB, so it lives on the heap; crypt_r keeps no global state, so this is thread-safe.
static inline int gx_crypt_matches(const char *password, const char *hash) {
    struct crypt_data *data = calloc(1, sizeof(struct crypt_data));
    if (data == NULL) return 0;
    const char *computed = crypt_r(password, hash, data);
    int matches = 0;
    if (computed != NULL && computed[0] != '*') {
        size_t length = strlen(hash);
        if (strlen(computed) == length) {
            // Constant time in the position of the first difference.
            unsigned char difference = 0;
            for (size_t i = 0; i < length; i++) difference |= (unsigned char)(computed[i] ^ hash[i]);
            matches = difference == 0;
        }
    }
    explicit_bzero(data, sizeof(struct crypt_data));
    free(data);
    return matches;
}

#endif
