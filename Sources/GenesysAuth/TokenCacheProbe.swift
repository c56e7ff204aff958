import FoundationEssentials
import GenesysBase
import Glibc

extension TokenCache {
    /// Why a save would fail here, checked before a single-use refresh token is redeemed: the cache is
    /// replaced by a rename, so the directory must be writable. Nil when a save can be attempted.
    package func saveProblem() -> String? {
        let directory = PathText.directory(of: path)
        let folder = directory.isEmpty ? "." : directory
        var info = stat()
        guard stat(folder, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            return "the token cache directory \(folder) does not exist or is not a directory"
        }
        guard access(folder, W_OK) == 0 else {
            return "the token cache directory \(folder) is not writable (\(String(cString: strerror(errno))))"
        }
        return nil
    }
}
