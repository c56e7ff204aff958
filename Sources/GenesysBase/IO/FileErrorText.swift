import FoundationEssentials
import Glibc

/// A short reason for a failed file read, for configuration errors: the system's text for the error number
/// ("No such file or directory"), or that the file is not UTF-8. FoundationEssentials' errors carry the
/// error number but no readable text; full Foundation's `localizedDescription` is not linked.
package enum FileErrorText {
    package static func reason(_ error: any Error) -> String {
        if let failure = error as? RegularFile.Failure { return failure.description }
        if let cocoa = error as? CocoaError {
            if let posix = cocoa.underlying as? POSIXError { return systemText(posix.code.rawValue) }
            if cocoa.code == .fileReadInapplicableStringEncoding { return "not UTF-8 text" }
        }
        if let posix = error as? POSIXError { return systemText(posix.code.rawValue) }
        return "\(error)"
    }

    private static func systemText(_ number: Int32) -> String { String(cString: strerror(number)) }
}
