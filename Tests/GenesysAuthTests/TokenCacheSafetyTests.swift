import Foundation
import GenesysAuthTestSupport
import GenesysSimulator
import SimulatorTestSupport
import Testing

@testable import GenesysAuth
@testable import GenesysJSON

/// A token cache file is input from disk: hostile, damaged or foreign files are refused with a reason,
/// never trusted and never a crash; writes cannot be redirected and are private from creation.
@Suite("Token cache file safety")
struct TokenCacheSafetyTests {
    static let now = 1_800_000_000.0

    /// A well-formed cache document with `overrides` spliced in as raw JSON members.
    static func document(_ overrides: [String: String] = [:]) -> String {
        var members: [String: String] = [
            "version": "1", "fingerprint": "\"abc\"", "grant_type": "\"client_credentials\"",
            "access_token": "\"live-token\"",
            "obtained_at": "\(now - 60)", "lifetime_seconds": "86399",
        ]
        members.merge(overrides) { _, new in new }
        return "{" + members.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}"
    }

    /// Writes `text` to a fresh directory as the exporter would find it: a regular file, mode 0600 unless told.
    private static func cacheFile(_ text: String, mode: mode_t = 0o600) throws -> (directory: String, path: String) {
        let directory = try makeTemporaryDirectory()
        let path = directory + "/token.json"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        #expect(chmod(path, mode) == 0)
        return (directory, path)
    }

    /// The reason `load` gave, or nil when it did not return `.error`.
    private static func loadError(_ path: String) -> String? {
        if case .error(let reason) = TokenCache(path: path).load(now: now) { reason } else { nil }
    }

    @Test func test_wellFormedPrivateFile_loads() throws {
        let (directory, path) = try Self.cacheFile(Self.document())
        defer { try? FileManager.default.removeItem(atPath: directory) }
        guard case .loaded(let entry) = TokenCache(path: path).load(now: Self.now) else {
            Issue.record("a valid cache was not loaded: \(Self.loadError(path) ?? "miss")")
            return
        }
        #expect(entry.accessToken.exposedValue == "live-token")
        #expect(entry.lifetimeSeconds == 86399)
    }

    @Test(arguments: [
        "{not json", "", "[]", "null",
        String(document().prefix(40)),  // truncated in the middle of the document
        document().replacingOccurrences(
            of: "\"grant_type\":\"client_credentials\"", with: "\"grant_type\":\"password\""),
    ])
    func test_corruptOrTruncatedFile_isAnError(text: String) throws {
        let (directory, path) = try Self.cacheFile(text)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(Self.loadError(path) != nil)
    }

    @Test(arguments: ["1e300", "-1e300", "-5", "\"x\"", "null", "\(now + 2 * 86_400)", "1e999"])
    func test_obtainedAtOutOfRangeOrNotANumber_isAnError(value: String) throws {
        let (directory, path) = try Self.cacheFile(Self.document(["obtained_at": value]))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(Self.loadError(path) != nil)
    }

    @Test(arguments: ["0", "-1", "1e12", "172801", "1e300", "9223372036854775807", "\"3600\"", "1.5"])
    func test_lifetimeOutOfRangeOrNotAWholeNumber_isAnError(value: String) throws {
        let (directory, path) = try Self.cacheFile(Self.document(["lifetime_seconds": value]))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(Self.loadError(path) != nil)
    }

    @Test(arguments: [#""""#, #""two words""#, #""line\r\nX-Injected: 1""#, #""tab\there""#, #""caf\u00e9""#])
    func test_tokenThatCannotGoInAHeader_isAnError(value: String) throws {
        for field in ["access_token", "refresh_token"] {
            let (directory, path) = try Self.cacheFile(Self.document([field: value]))
            defer { try? FileManager.default.removeItem(atPath: directory) }
            #expect(Self.loadError(path) != nil, "\(field) = \(value)")
        }
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o620, 0o602, 0o660, 0o666])
    func test_fileOpenToGroupOrOthers_isRefused(mode: Int) throws {
        let (directory, path) = try Self.cacheFile(Self.document(), mode: mode_t(mode))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let reason = try #require(Self.loadError(path))
        #expect(reason.contains("refused") && reason.contains("mode \(String(mode, radix: 8))"), "\(reason)")
    }

    @Test func test_symlinkToAValidCache_isRefused() throws {
        let (directory, path) = try Self.cacheFile(Self.document())
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let link = directory + "/link.json"
        #expect(symlink(path, link) == 0)
        let reason = try #require(Self.loadError(link))
        #expect(reason.contains("symbolic link"), "\(reason)")
    }

    @Test(.enabled(if: geteuid() == 0, "changing a file's owner needs root"))
    func test_fileOwnedByAnotherUser_isRefused() throws {
        let (directory, path) = try Self.cacheFile(Self.document())
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(chown(path, 65534, 65534) == 0)
        let reason = try #require(Self.loadError(path))
        #expect(reason.contains("owned by uid 65534"), "\(reason)")
    }

    @Test func test_directoryAtThePath_isRefused() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/token.json"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        #expect(chmod(path, 0o700) == 0)
        let reason = try #require(Self.loadError(path))
        #expect(reason.contains("not a regular file"), "\(reason)")
    }

    @Test(.timeLimit(.minutes(1)))
    func test_fifoAtThePath_isRefusedWithoutBlocking() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/token.json"
        #expect(mkfifo(path, 0o600) == 0)
        let reason = try #require(Self.loadError(path))
        #expect(reason.contains("not a regular file"), "\(reason)")
    }

    @Test func test_fileOverTheSizeCap_isRefused() throws {
        let padding = String(repeating: "x", count: TokenCache.sizeLimit)
        let (directory, path) = try Self.cacheFile(Self.document(["padding": "\"\(padding)\""]))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let reason = try #require(Self.loadError(path))
        #expect(reason.contains("larger than"), "\(reason)")
    }

    @Test func test_missingFile_isAMiss() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect({ if case .miss = TokenCache(path: directory + "/absent.json").load() { true } else { false } }())
    }

    /// The crash of issue 8: `obtained_at: 1e300` killed the process at every start.
    @Test(.timeLimit(.minutes(1)))
    func test_providerStartingOnAHostileCache_countsAnErrorAndGetsAFreshToken() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/token.json"
        try await withSimulator { sim in
            let configuration = try sim.tokenConfiguration(cacheFile: path)
            let fingerprint = TokenCache.fingerprint(
                clientID: configuration.clientID, loginBaseURL: configuration.hosts.loginBaseURL)
            try Data(Self.document(["obtained_at": "1e300", "fingerprint": "\"\(fingerprint)\""]).utf8).write(
                to: URL(fileURLWithPath: path))
            #expect(chmod(path, 0o600) == 0)
            let capture = LogCapture()
            let rig = TokenRig(configuration, logger: capture.logger())
            defer { rig.shutdown() }
            #expect(
                try rig.scrape().value("genesys_token_cache_operations_total", ["op": "load", "result": "error"]) == 1)
            #expect(
                capture.all.contains { $0.contains("ignoring token cache file") && $0.contains("obtained_at") },
                "\(capture.all)")
            _ = try await rig.provider.validToken()
            #expect(sim.counters().tokenRequests["client_credentials"] == 1)
        }
    }

    // MARK: writing

    private static func entry() -> CachedToken {
        CachedToken(
            fingerprint: "abc", grant: .clientCredentials, accessToken: Secret("live-token"), obtainedAtUnix: now - 60,
            lifetimeSeconds: 86399, refreshToken: nil)
    }

    private static func mode(of path: String) -> mode_t? {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & 0o7777 : nil
    }

    @Test func test_save_createsMode0600_evenWithUmaskZero() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/token.json"
        let previous = umask(0)
        let failure = TokenCache(path: path).save(Self.entry())
        umask(previous)  // restored at once: the umask is process-wide and other tests create files
        #expect(failure == nil)
        #expect(Self.mode(of: path) == 0o600)
    }

    @Test func test_save_replacesAWideOpenFile_withAPrivateOne() throws {
        let (directory, path) = try Self.cacheFile("old", mode: 0o666)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(TokenCache(path: path).save(Self.entry()) == nil)
        #expect(Self.mode(of: path) == 0o600)
        #expect({ if case .loaded = TokenCache(path: path).load(now: Self.now) { true } else { false } }())
    }

    @Test func test_temporaryNames_areUnpredictable_andInTheSameDirectory() {
        let names = Set((0..<50).map { _ in AtomicFile.randomTemporaryPath(for: "/var/lib/x/token.json") })
        #expect(names.count == 50)
        #expect(
            names.allSatisfy {
                $0.hasPrefix("/var/lib/x/token.json.tmp-") && $0.count == "/var/lib/x/token.json.tmp-".count + 16
            })
    }

    @Test func test_linkPlantedAtTheTemporaryPath_cannotRedirectTheWrite() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/token.json"
        let victim = directory + "/victim"
        try Data("precious".utf8).write(to: URL(fileURLWithPath: victim))
        // The old predictable name, and a name the attacker "guessed" that the writer is made to try first.
        let planted = [path + ".tmp.\(getpid())", path + ".tmp-guessed"]
        for link in planted { #expect(symlink(victim, link) == 0) }
        var proposals = [planted[1]]
        let failure = AtomicFile.write(Array("secret".utf8), to: path, mode: 0o600) { target in
            proposals.isEmpty ? AtomicFile.randomTemporaryPath(for: target) : proposals.removeFirst()
        }
        #expect(failure == nil)
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "secret")
        #expect(Self.mode(of: path) == 0o600)
        let left = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(left == ["token.json", "token.json.tmp-guessed", "token.json.tmp.\(getpid())", "victim"])
    }

    @Test func test_failedWrite_returnsAReason_andLeavesNoTemporaryFile() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/token.json"
        try FileManager.default.createDirectory(atPath: path + "/occupied", withIntermediateDirectories: true)
        // rename onto a non-empty directory fails
        let failure = try #require(TokenCache(path: path).save(Self.entry()))
        #expect(failure.contains("rename"), "\(failure)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["token.json"])
    }
}
