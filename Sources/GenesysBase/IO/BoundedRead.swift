import Glibc

/// Reads an open descriptor to its end, refusing more than `limit` bytes: the one read loop behind the token cache
/// (PrivateFile) and zoneinfo files (TimeZoneRules).
package enum BoundedRead {
    package enum Failure: Error, Equatable {
        case tooLarge
        /// The `errno` of the failed read.
        case failed(Int32)
    }

    package static func all(_ descriptor: Int32, limit: Int) -> Result<[UInt8], Failure> {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while bytes.count <= limit {  // reads one byte past the limit to notice a file that grew
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { return .failure(.failed(errno)) }
            if count == 0 { return .success(bytes) }
            bytes += chunk[..<count]
        }
        return .failure(.tooLarge)
    }
}
