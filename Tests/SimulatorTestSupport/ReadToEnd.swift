import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Everything a pipe delivers until its writer closes. Foundation's `readDataToEndOfFile()` traps (`try!`) when a
/// signal interrupts a read (EINTR), which happens while test processes start and reap children; this retries.
package func readToEnd(_ handle: FileHandle) -> Data {
    readToEnd(descriptor: handle.fileDescriptor)
}

/// Everything `descriptor` delivers until its writer closes (EINTR retried); the caller closes it.
package func readToEnd(descriptor: Int32) -> Data {
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count > 0 {
            data.append(contentsOf: buffer[0..<count])
        } else if count < 0 && errno == EINTR {
            continue
        } else {
            return data
        }
    }
}
