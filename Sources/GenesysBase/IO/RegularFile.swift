import Glibc

/// Reads a file a user named (the orgs file, the web config, the .env file, a secret file): only a regular file,
/// and never more than `limit` bytes plus one. A FIFO, a device such as /dev/zero or a huge file is refused with
/// its real reason before any read, so it can neither block the start-up nor fill the memory.
package enum RegularFile {
    /// The most any configuration file may hold.
    package static let configurationLimit = 4 << 20

    package enum Failure: Error, Equatable, CustomStringConvertible {
        /// The `errno` of the failed open.
        case cannotOpen(Int32)
        case notRegular
        case tooLarge(limit: Int)
        /// The `errno` of the failed fstat or read.
        case failed(Int32)
        case notUTF8

        package var description: String {
            switch self {
            case .cannotOpen(let number), .failed(let number): String(cString: strerror(number))
            case .notRegular: "not a regular file"
            case .tooLarge(let limit):
                limit % (1 << 20) == 0 ? "larger than \(limit >> 20) MiB" : "larger than \(limit) bytes"
            case .notUTF8: "not UTF-8 text"
            }
        }
    }

    /// The file's bytes. O_NONBLOCK: opening a FIFO with no writer returns at once, and fstat then refuses it.
    package static func bytes(_ path: String, limit: Int) -> Result<[UInt8], Failure> {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(.cannotOpen(errno)) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return .failure(.failed(errno)) }
        guard info.st_mode & S_IFMT == S_IFREG else { return .failure(.notRegular) }
        guard info.st_size <= limit else { return .failure(.tooLarge(limit: limit)) }
        switch BoundedRead.all(descriptor, limit: limit) {
        case .success(let bytes): return .success(bytes)
        case .failure(.tooLarge): return .failure(.tooLarge(limit: limit))
        case .failure(.failed(let number)): return .failure(.failed(number))
        }
    }

    /// The file as UTF-8 text.
    package static func text(_ path: String, limit: Int = configurationLimit) throws(Failure) -> String {
        let bytes = try bytes(path, limit: limit).get()
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .notUTF8 }
        return text
    }
}
