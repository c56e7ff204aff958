import FoundationEssentials
import GenesysSimulator
import Glibc

/// `--record-requests FILE`: every API request the simulator receives, appended as one JSON object a line
/// (`method`, `path`, `query`, `userAgent`, `body` as text), so scripts/sdk-check can hold the exporter's queries to
/// the official SDK's models.
final class RequestRecorder: Sendable {
    /// Written with one write(2) a line on O_APPEND, so lines from several orgs' event loops do not interleave.
    private let descriptor: Int32

    init(path: String) throws(RequestRecorderError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw RequestRecorderError(description: "--record-requests \(path): \(String(cString: strerror(errno)))")
        }
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    func record(_ request: ObservedRequest) {
        let line = Line(
            method: request.method, path: request.path, query: request.query, userAgent: request.userAgent,
            body: String(decoding: request.body, as: UTF8.self))
        guard var bytes = try? JSONEncoder().encode(line) else { return }
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeBytes { _ = write(descriptor, $0.baseAddress, $0.count) }
    }

    private struct Line: Encodable {
        let method: String
        let path: String
        let query: [String: String]
        let userAgent: String?
        let body: String
    }
}

/// The file for `--record-requests` cannot be opened.
struct RequestRecorderError: Error, CustomStringConvertible {
    var description: String
}
