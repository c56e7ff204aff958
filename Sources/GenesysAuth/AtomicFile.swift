import FoundationEssentials
import GenesysBase
import Glibc

/// Atomic, private replace of a file: a new temp file in the same directory, fsync, rename, fsync of
/// the directory. The temp file has an unpredictable name and is created exclusively without following
/// symlinks, so nobody who can write to the directory can plant a link that redirects the write.
package enum AtomicFile {
    /// Writes `bytes` to `path` with exactly `mode`; returns a reason on failure (the temp file is removed).
    static func write(_ bytes: [UInt8], to path: String, mode: mode_t) -> String? {
        write(bytes, to: path, mode: mode, temporaryPath: randomTemporaryPath(for:))
    }

    /// The same, with the temp path chosen by `temporaryPath` (tests plant files at the paths it returns).
    package static func write(
        _ bytes: [UInt8], to path: String, mode: mode_t, temporaryPath: (String) -> String
    ) -> String? {
        var temporary = ""
        var descriptor: Int32 = -1
        // A name already taken (by chance or by a planted link) is never opened; a few fresh tries, then give up.
        for _ in 0..<4 {
            temporary = temporaryPath(path)
            descriptor = open(temporary, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, mode)
            if descriptor >= 0 || errno != EEXIST { break }
        }
        guard descriptor >= 0 else { return "cannot create a temporary file next to \(path): \(lastError())" }

        var failure = fill(descriptor, with: bytes, mode: mode)
        if close(descriptor) != 0, failure == nil { failure = "close failed: \(lastError())" }
        if failure == nil, rename(temporary, path) != 0 {
            failure = "cannot rename the temporary file to \(path): \(lastError())"
        }
        if let failure {
            unlink(temporary)
            return failure
        }
        return syncDirectory(of: path)
    }

    /// A name in the target's directory that nobody can guess: 64 random bits from the system generator.
    package static func randomTemporaryPath(for path: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let suffix = String(generator.next() as UInt64, radix: 16)
        return "\(path).tmp-\(String(repeating: "0", count: 16 - suffix.count))\(suffix)"
    }

    /// Sets the mode (the umask must neither widen nor narrow it), writes everything and fsyncs.
    private static func fill(_ descriptor: Int32, with bytes: [UInt8], mode: mode_t) -> String? {
        if fchmod(descriptor, mode) != 0 { return "fchmod failed: \(lastError())" }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return "short write (\(offset) of \(bytes.count) bytes): \(lastError())" }
            offset += written
        }
        if fsync(descriptor) != 0 { return "fsync failed: \(lastError())" }
        return nil
    }

    /// Makes the rename itself durable.
    private static func syncDirectory(of path: String) -> String? {
        let parent = PathText.directory(of: path)
        let directory = parent.isEmpty ? "." : parent
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return "written, but cannot open \(directory) to fsync it: \(lastError())" }
        defer { close(descriptor) }
        // EINVAL: a filesystem that cannot sync directories; the rename is as durable as it can be made.
        if fsync(descriptor) != 0, errno != EINVAL {
            return "written, but fsync of \(directory) failed: \(lastError())"
        }
        return nil
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
