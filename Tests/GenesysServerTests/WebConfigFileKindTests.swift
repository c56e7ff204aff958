import Foundation
import Glibc
import Testing

@testable import GenesysBase
@testable import GenesysServer

/// A FIFO or a device given as `--web.config.file` is refused with its real reason, and never blocks the start-up.
@Suite("Web config file kinds", .timeLimit(.minutes(1)))
struct WebConfigFileKindTests {
    private static func refusal(_ path: String) -> String {
        do {
            _ = try WebConfigSource(path: path)
            return "accepted"
        } catch {
            return "\(error)"
        }
    }

    @Test func test_fifoAndDevZero_areRefusedAsNotRegularFiles() throws {
        let directory = NSTemporaryDirectory() + "web-config-kind-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fifo = directory + "/web.yml"
        #expect(mkfifo(fifo, 0o600) == 0)
        for path in [fifo, "/dev/zero"] {
            let message = Self.refusal(path)
            #expect(message.contains("--web.config.file") && message.contains("not a regular file"), "\(message)")
        }
    }

    @Test func test_oversizedFile_isRefusedWithTheSize() throws {
        let directory = NSTemporaryDirectory() + "web-config-kind-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/web.yml"
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        #expect(truncate(path, 5 << 20) == 0)
        let message = Self.refusal(path)
        #expect(message.contains("larger than 4 MiB"), "\(message)")
    }

    @Test func test_missingFile_keepsItsMessage() {
        #expect(Self.refusal("/nonexistent/web.yml").contains("no such file or not readable"))
    }
}
