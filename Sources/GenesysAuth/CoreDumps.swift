import CProcessControl
import FoundationEssentials
import Glibc

/// A core file or a debugger attached by the same user would hold the client secret and tokens in clear:
/// the exporter turns both off before it reads any secret.
package enum CoreDumps {
    /// Makes the process non-dumpable and its core-file limit 0; returns what failed, if anything.
    @discardableResult
    package static func disable() -> String? {
        var failures: [String] = []
        if gx_set_not_dumpable() != 0 {
            failures.append("prctl(PR_SET_DUMPABLE, 0) failed: \(String(cString: strerror(errno)))")
        }
        if gx_limit_core_files_to_zero() != 0 {
            failures.append("setrlimit(RLIMIT_CORE, 0) failed: \(String(cString: strerror(errno)))")
        }
        return failures.isEmpty ? nil : failures.joined(separator: "; ")
    }

    /// Whether the kernel would write a core file or allow a same-user ptrace attach now.
    package static var processIsDumpable: Bool { gx_get_dumpable() != 0 }
}
