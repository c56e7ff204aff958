import Foundation
import Glibc
import Testing

@testable import GenesysBase
@testable import GenesysExporter

/// The files a user names (`--config.file`, `--env-file`, `--genesys.client-secret-file`) are read only when they
/// are regular files, and an orgs file over its cap is refused after reading at most the cap and a byte.
@Suite("Configuration file kinds and sizes", .timeLimit(.minutes(1)))
struct ConfigFileKindTests {
    /// A directory with a FIFO (no writer, ever) in it, removed after `body`.
    private static func withFIFO(_ body: (_ directory: String, _ fifo: String) throws -> Void) throws {
        let directory = NSTemporaryDirectory() + "config-kind-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fifo = directory + "/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        try body(directory, fifo)
    }

    /// The configuration error resolving `flags` gives, as a user reads it.
    private static func refusal(_ flags: ExporterFlags) -> String {
        do {
            _ = try ConfigurationResolver.resolve(flags, environment: [:])
            return "accepted"
        } catch {
            return error.description
        }
    }

    @Test func test_orgsFileOver4MiB_isRefusedWithTheSizeMessage() throws {
        try Self.withFIFO { directory, _ in
            let written = directory + "/orgs.yml"
            // 5 MiB of real bytes: the read stops one byte past 4 MiB.
            let line = Data("# padding padding padding padding padding padding padding padding padding pad\n".utf8)
            var text = Data("orgs: []\n".utf8)
            while text.count <= 5 << 20 { text.append(line) }
            try text.write(to: URL(fileURLWithPath: written))
            // 200 MiB, sparse: refused from its size before a byte is read.
            let sparse = directory + "/sparse.yml"
            #expect(FileManager.default.createFile(atPath: sparse, contents: Data()))
            #expect(truncate(sparse, 200 << 20) == 0)
            for path in [written, sparse] {
                let message = Self.refusal(ExporterFlags(configFile: path))
                #expect(message.contains(path) && message.contains("larger than 4 MiB"), "\(message)")
            }
        }
    }

    @Test func test_fifoOrDevZero_asOrgsFile_isRefusedAsNotARegularFile() throws {
        try Self.withFIFO { _, fifo in
            for path in [fifo, "/dev/zero"] {
                let message = Self.refusal(ExporterFlags(configFile: path))
                #expect(message.contains("--config.file") && message.contains("not a regular file"), "\(message)")
                #expect(!message.contains("Permission denied"), "\(message)")
            }
        }
    }

    @Test func test_fifoOrDevZero_asEnvFile_isRefusedAsNotARegularFile() throws {
        try Self.withFIFO { _, fifo in
            for path in [fifo, "/dev/zero"] {
                let message = Self.refusal(ExporterFlags(envFile: path))
                #expect(message.contains("--env-file") && message.contains("not a regular file"), "\(message)")
            }
        }
    }

    @Test func test_fifoOrDevZero_asClientSecretFile_isRefusedAsNotARegularFile() throws {
        try Self.withFIFO { _, fifo in
            for path in [fifo, "/dev/zero"] {
                let message = Self.refusal(
                    ExporterFlags(region: "mypurecloud.com", clientID: "id", clientSecretFile: path))
                #expect(
                    message.contains("--genesys.client-secret-file") && message.contains("not a regular file"),
                    "\(message)")
            }
        }
    }
}
