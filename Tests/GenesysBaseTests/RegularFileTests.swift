import Foundation
import GenesysBase
import Glibc
import Testing

/// User-named files (orgs file, web config, .env, secrets) are read only when regular, and never much past their cap.
@Suite("Regular file reads", .timeLimit(.minutes(1)))
struct RegularFileTests {
    private static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "regular-file-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func test_fifoWithNoWriter_isRefusedAsNotARegularFile_withoutBlocking() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fifo = directory + "/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(RegularFile.bytes(fifo, limit: 1024) == .failure(.notRegular))
        #expect(throws: RegularFile.Failure.notRegular) { try RegularFile.text(fifo) }
        #expect(FileErrorText.reason(RegularFile.Failure.notRegular) == "not a regular file")
    }

    @Test func test_devZeroAndADirectory_areRefusedAsNotRegularFiles() throws {
        #expect(RegularFile.bytes("/dev/zero", limit: 1024) == .failure(.notRegular))
        #expect(RegularFile.bytes(NSTemporaryDirectory(), limit: 1024) == .failure(.notRegular))
    }

    @Test func test_missingFile_givesTheSystemsReason() {
        let result = RegularFile.bytes("/nonexistent/regular-file-test", limit: 1024)
        #expect(result == .failure(.cannotOpen(ENOENT)))
        if case .failure(let failure) = result { #expect(failure.description == "No such file or directory") }
    }

    @Test func test_fileOverTheLimit_isRefusedWithTheSize_evenWhenSparse() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/big"
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        #expect(truncate(path, 200 << 20) == 0)  // 200 MiB, sparse: refused before a byte is read
        #expect(RegularFile.bytes(path, limit: 4 << 20) == .failure(.tooLarge(limit: 4 << 20)))
        #expect(RegularFile.Failure.tooLarge(limit: 4 << 20).description == "larger than 4 MiB")
        #expect(RegularFile.Failure.tooLarge(limit: 1000).description == "larger than 1000 bytes")
    }

    @Test func test_fileAtTheLimit_isRead_andOneByteMoreIsNot() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/file"
        try Data(repeating: UInt8(ascii: "a"), count: 100).write(to: URL(fileURLWithPath: path))
        #expect(try RegularFile.bytes(path, limit: 100).get().count == 100)
        #expect(RegularFile.bytes(path, limit: 99) == .failure(.tooLarge(limit: 99)))
        #expect(try RegularFile.text(path, limit: 100) == String(repeating: "a", count: 100))
    }

    @Test func test_boundedRead_readsAtMostOneBytePastTheLimit() throws {
        // A pipe holds what was written but not read: what is left shows how much the loop took.
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]) }
        let written = [UInt8](repeating: 7, count: 40_000)
        #expect(written.withUnsafeBytes { write(ends[1], $0.baseAddress, $0.count) } == written.count)
        close(ends[1])
        #expect(BoundedRead.all(ends[0], limit: 1000) == .failure(.tooLarge))
        var rest = [UInt8](repeating: 0, count: 65_536)
        var left = 0
        while true {
            let count = rest.withUnsafeMutableBytes { read(ends[0], $0.baseAddress, $0.count) }
            if count <= 0 { break }
            left += count
        }
        #expect(left == 40_000 - 1001)
    }
}
