import FoundationEssentials
import GenesysBase
import Glibc

/// Reads a small file only when it is private to this process's user: a regular file (no symlink, FIFO or
/// device), owned by the effective uid, with no group or other permission bits. The checks are made on
/// the opened descriptor, so the file cannot be swapped between the check and the read.
enum PrivateFile {
    enum Outcome: Equatable {
        case missing
        case refused(String)
        case contents([UInt8])
    }

    static func read(_ path: String, sizeLimit: Int) -> Outcome {
        var linkInfo = stat()
        guard lstat(path, &linkInfo) == 0 else {
            return errno == ENOENT ? .missing : .refused("cannot inspect the file: \(lastError())")
        }
        // The early check gives the clear message; the descriptor check below is the one that counts.
        if let reason = refusal(linkInfo, sizeLimit: sizeLimit) { return .refused(reason) }

        // O_NONBLOCK: a FIFO swapped in after lstat must not hang the start-up; it is refused by fstat.
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            return .refused(
                errno == ELOOP ? "refused: the path is a symbolic link" : "cannot open the file: \(lastError())")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return .refused("cannot inspect the file: \(lastError())") }
        if let reason = refusal(info, sizeLimit: sizeLimit) { return .refused(reason) }

        switch BoundedRead.all(descriptor, limit: sizeLimit) {
        case .success(let bytes): return .contents(bytes)
        case .failure(.tooLarge): return .refused("refused: the file is larger than \(sizeLimit) bytes")
        case .failure(.failed(let number)):
            return .refused("cannot read the file: \(String(cString: strerror(number)))")
        }
    }

    /// Why a file with these attributes is not trusted, or nil.
    private static func refusal(_ info: stat, sizeLimit: Int) -> String? {
        let kind = info.st_mode & S_IFMT
        if kind == S_IFLNK { return "refused: the path is a symbolic link; point the setting at the file itself" }
        if kind != S_IFREG { return "refused: not a regular file" }
        let user = geteuid()
        if info.st_uid != user { return "refused: owned by uid \(info.st_uid), not by the exporter's uid \(user)" }
        let mode = info.st_mode & 0o7777
        if mode & 0o077 != 0 {
            return
                "refused: mode \(String(mode, radix: 8)) lets group or others read or write it; chmod 600 it or delete it"
        }
        if info.st_size > sizeLimit { return "refused: the file is larger than \(sizeLimit) bytes" }
        return nil
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
