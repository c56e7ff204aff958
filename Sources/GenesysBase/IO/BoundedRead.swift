import Glibc

/// Reads an open descriptor to its end, refusing more than `limit` bytes and reading at most one byte more: the one
/// read loop behind the token cache (PrivateFile), zoneinfo files (TimeZoneRules) and configuration files
/// (RegularFile).
package enum BoundedRead {
    package enum Failure: Error, Equatable {
        case tooLarge
        /// The `errno` of the failed read.
        case failed(Int32)
    }

    package static func all(_ descriptor: Int32, limit: Int) -> Result<[UInt8], Failure> {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while bytes.count <= limit {  // reads at most one byte past the limit, to notice a larger file
            let wanted = min(chunk.count, limit + 1 - bytes.count)
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, wanted) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { return .failure(.failed(errno)) }
            if count == 0 { return .success(bytes) }
            bytes += chunk[..<count]
        }
        return .failure(.tooLarge)
    }
}
