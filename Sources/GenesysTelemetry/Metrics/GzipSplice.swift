import CZlib

/// A gzip body (one RFC 1952 member) spliced from a compressed prefix made once and a suffix compressed per use,
/// the way pigz joins blocks: the prefix's deflate data ends on a byte boundary without a last block, the suffix
/// is a fresh deflate stream that never refers back, and the trailer's CRC-32 is combined from both halves. One
/// member, not two, because libcurl before 8 (Debian 12's curl 7.88) fails a body of several members with
/// "Failed writing received data" (code 23); Go's reader takes either.
package enum GzipSplice {
    /// How hard zlib works: `prefix` for the poll-driven page, compressed once per change, `suffix` for the
    /// small live part, compressed on every scrape.
    enum Level: Int32 {
        case suffix = 1
        case prefix = 6

        /// zlib's window and hash sizes: the full ones for the page; the smallest for the few live lines, so a
        /// scrape's compressor takes a few KiB instead of the ≈ 256 KiB of zlib's defaults.
        var windowBits: Int32 { self == .prefix ? 15 : 9 }
        var memLevel: Int32 { self == .prefix ? 8 : 1 }
    }

    /// The first half of a body: the gzip header and deflate data that a suffix can follow.
    package struct Prefix: Sendable {
        package let bytes: [UInt8]
        let crc: UInt
        let length: Int
    }

    /// Pages are far smaller; the cap keeps zlib's 32-bit lengths exact.
    static let maximumInput = 1 << 30

    /// RFC 1952 header: deflate, no name or time, maximum compression flags unset, OS unknown.
    private static let header: [UInt8] = [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]

    package static func prefix(_ plain: [UInt8]) -> Prefix {
        Prefix(bytes: header + deflate(plain, level: .prefix, final: false), crc: checksum(plain), length: plain.count)
    }

    /// The rest of the body after `prefix.bytes`: `plain` compressed with the last block, then the trailer.
    package static func suffix(after prefix: Prefix, _ plain: [UInt8]) -> [UInt8] {
        var tail = deflate(plain, level: .suffix, final: true)
        let crc = crc32_combine(prefix.crc, checksum(plain), off_t(plain.count))
        appendLittleEndian(UInt32(truncatingIfNeeded: crc), to: &tail)
        // ISIZE is the length modulo 2^32 (RFC 1952 §2.3.1).
        appendLittleEndian(UInt32(truncatingIfNeeded: prefix.length &+ plain.count), to: &tail)
        return tail
    }

    /// A piece of a body compressed on its own (raw deflate ending on a byte boundary, no last block), so pieces
    /// made at different times can be joined in any order: a multi-org page compresses each org's part of each
    /// family once per change of that org, and a scrape only joins them.
    package struct Chunk: Sendable {
        package let bytes: [UInt8]
        let crc: UInt
        /// The plain length.
        package let length: Int
        /// zlib's operator for appending this chunk's CRC, made once: joining thousands of chunks per scrape then
        /// costs one multiplication each instead of a computation over the length.
        let combine: UInt
    }

    package static func chunk(_ plain: [UInt8]) -> Chunk {
        Chunk(
            bytes: deflate(plain, level: .prefix, final: false), crc: checksum(plain), length: plain.count,
            combine: crc32_combine_gen(off_t(plain.count)))
    }

    /// A chunk of a few bytes made on every scrape (a protobuf family's length and header fields): compressed with the
    /// small window and hash of the live lines, since zlib's full ones cost ≈ 256 KiB to set up for each.
    package static func smallChunk(_ plain: [UInt8]) -> Chunk {
        Chunk(
            bytes: deflate(plain, level: .suffix, final: false), crc: checksum(plain), length: plain.count,
            combine: crc32_combine_gen(off_t(plain.count)))
    }

    /// The chunks one after the other, as a prefix a `suffix` completes: the header, the deflate data back to back
    /// and the CRC-32 combined over them.
    package static func join(_ chunks: [Chunk]) -> Prefix {
        var bytes = header
        bytes.reserveCapacity(header.count + chunks.reduce(0) { $0 + $1.bytes.count })
        var crc: UInt = 0
        var length = 0
        for chunk in chunks {
            bytes += chunk.bytes
            crc = crc32_combine_op(crc, chunk.crc, chunk.combine)
            length &+= chunk.length
        }
        return Prefix(bytes: bytes, crc: crc, length: length)
    }

    /// A whole body from one buffer.
    package static func compress(_ plain: [UInt8]) -> [UInt8] {
        let head = prefix(plain)
        return head.bytes + suffix(after: head, [])
    }

    private static func deflate(_ plain: [UInt8], level: Level, final: Bool) -> [UInt8] {
        precondition(plain.count <= maximumInput, "an exposition of \(plain.count) bytes")
        let capacity = gx_deflate_bound(plain.count)
        let output = plain.withUnsafeBufferPointer { input in
            [UInt8](unsafeUninitializedCapacity: capacity) { output, count in
                count = gx_deflate_raw(
                    input.baseAddress, input.count, level.rawValue, level.windowBits, level.memLevel, final ? 1 : 0,
                    output.baseAddress, capacity)
                // zlib fails only without memory when the room is enough.
                precondition(count > 0, "zlib could not compress \(input.count) bytes")
            }
        }
        return exactlySized(output)
    }

    /// `bytes` in an allocation of their own size. zlib needs room for the plain size and the page compresses to a
    /// tenth of it; chunks stay cached until their org changes, and the room left over cost 40 MiB for 50 orgs (and
    /// 50 KB per org more while small families' room under 4 KiB was kept).
    static func exactlySized(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.capacity - bytes.count > 64 else { return bytes }
        return bytes.withUnsafeBufferPointer { source in
            [UInt8](unsafeUninitializedCapacity: source.count) { target, count in
                _ = target.initialize(fromContentsOf: source)
                count = source.count
            }
        }
    }

    private static func checksum(_ plain: [UInt8]) -> UInt {
        plain.withUnsafeBufferPointer { crc32(0, $0.baseAddress, UInt32(plain.count)) }
    }

    private static func appendLittleEndian(_ value: UInt32, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}
