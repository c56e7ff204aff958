import Glibc

/// Whole-line writes to stdout and stderr with write(2), retried on short writes and EINTR: what
/// `FileHandle.standardError.write` did, without full Foundation.
package enum StandardStreams {
    package static func writeError(_ text: String) { write(text, to: STDERR_FILENO) }

    package static func writeOutput(_ text: String) { write(text, to: STDOUT_FILENO) }

    private static func write(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return  // a closed or broken stream: nothing useful to do with the line
                }
            }
        }
    }
}
