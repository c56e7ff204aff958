import CZlib

/// Reads a gzip body as Go's `gzip.Reader` (Prometheus' scraper) does: every member, one after another.
package enum Gunzip {
    /// The members' decompressed bytes joined, and how many members there were; nil when the body is not a
    /// sequence of complete gzip members.
    package static func read(_ body: [UInt8]) -> (members: Int, bytes: [UInt8])? {
        var output: [UInt8] = []
        var members = 0
        var offset = 0
        while offset < body.count {
            guard let consumed = inflateMember(body, from: offset, into: &output) else { return nil }
            offset += consumed
            members += 1
        }
        return members > 0 ? (members, output) : nil
    }

    /// Inflates the member starting at `offset`; returns the bytes it took, nil when it is broken or cut short.
    private static func inflateMember(_ body: [UInt8], from offset: Int, into output: inout [UInt8]) -> Int? {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return nil
        }
        defer { inflateEnd(&stream) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let status = body.withUnsafeBufferPointer { input -> Int32 in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + offset)
            stream.avail_in = UInt32(input.count - offset)
            var result = Z_OK
            while result == Z_OK {
                result = chunk.withUnsafeMutableBufferPointer { room -> Int32 in
                    stream.next_out = room.baseAddress
                    stream.avail_out = UInt32(room.count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    output.append(contentsOf: room.prefix(room.count - Int(stream.avail_out)))
                    return status
                }
            }
            return result
        }
        guard status == Z_STREAM_END else { return nil }
        return body.count - offset - Int(stream.avail_in)
    }
}
