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

extension SpawnedProcess {
    /// Runs a short tool to its end and returns what it wrote to stdout (`stream` 1) or stderr (2); the other goes
    /// to /dev/null. Blocks: for synchronous tests only.
    package static func capture(
        _ executable: String, _ arguments: [String], environment: [String: String], stream: Int32
    ) throws -> (termination: Termination, output: String) {
        let pipe = try ClosingPipe()
        let process: SpawnedProcess
        do {
            process = try SpawnedProcess(
                executable, arguments, environment: environment, stdout: stream == 1 ? pipe.writing : nil,
                stderr: stream == 2 ? pipe.writing : nil)
        } catch {
            close(pipe.reading)
            close(pipe.writing)
            throw error
        }
        close(pipe.writing)
        let output = String(decoding: readToEnd(descriptor: pipe.reading), as: UTF8.self)
        close(pipe.reading)
        return (process.waitUntilExit(), output)
    }
}
