// Raw deflate from one buffer, with zlib (deflateInit2 is a macro, so Swift cannot call it directly).
#ifndef GENESYS_CZLIB_SHIM_H
#define GENESYS_CZLIB_SHIM_H

#include <string.h>
#include <zlib.h>

/// Room enough for gx_deflate_raw's output from `length` bytes: zlib's bound plus slack for the flush marker.
static inline size_t gx_deflate_bound(size_t length) {
    return (size_t)compressBound((uLong)length) + 64;
}

/// Compresses `input` as raw deflate data (RFC 1951, no header) into `output`; returns its length, or 0 when zlib
/// fails (no memory, or `capacity` below gx_deflate_bound). With `final` 0 the data ends on a byte boundary
/// without a last block (Z_SYNC_FLUSH), so another raw deflate stream can follow it in the same gzip member.
/// Callers keep `length` and `capacity` under 1 GiB.
/// `window_bits` (9–15) and `mem_level` (1–9) size zlib's state: small ones suit a small input compressed often.
static inline size_t gx_deflate_raw(const unsigned char *input, size_t length, int level, int window_bits,
                                    int mem_level, int final, unsigned char *output, size_t capacity) {
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    if (deflateInit2(&stream, level, Z_DEFLATED, -window_bits, mem_level, Z_DEFAULT_STRATEGY) != Z_OK) return 0;
    stream.next_in = (Bytef *)input;
    stream.avail_in = (uInt)length;
    stream.next_out = output;
    stream.avail_out = (uInt)capacity;
    int result = deflate(&stream, final ? Z_FINISH : Z_SYNC_FLUSH);
    int complete = final ? result == Z_STREAM_END : (result == Z_OK && stream.avail_in == 0 && stream.avail_out > 0);
    size_t written = capacity - stream.avail_out;
    deflateEnd(&stream);
    return complete ? written : 0;
}

#endif
