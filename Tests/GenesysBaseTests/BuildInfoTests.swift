import Foundation
import GenesysBase
import SimulatorTestSupport
import Testing

@Suite("The build is stamped with its git revision")
struct BuildInfoTests {
    /// The package root, from this file's path (Tests/GenesysBaseTests/BuildInfoTests.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func git(_ arguments: [String]) throws -> String? {
        let run = try SpawnedProcess.capture(
            "/usr/bin/git", ["-C", packageRoot] + arguments, environment: ProcessInfo.processInfo.environment, stream: 1
        )
        return run.termination == .success ? run.output.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }

    @Test(
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: "/usr/bin/git")
                && FileManager.default.fileExists(atPath: packageRoot + "/.git"), "a git checkout"))
    func test_revision_isACommitOfThisCheckout() throws {
        let head = try #require(try Self.git(["rev-parse", "--short=12", "HEAD"]))
        let stamped = String(BuildInfo.revision.prefix(12))
        // Built from this checkout: HEAD, or a commit before it when a commit came after the build.
        let ancestor = try Self.git(["merge-base", "--is-ancestor", stamped, "HEAD"]) != nil
        #expect(
            stamped == head || ancestor,
            "built from \(BuildInfo.revision), the checkout is at \(head)")
    }

    @Test func test_revision_isABoundedLabelValue() {
        let revision = BuildInfo.revision
        #expect(revision == "unknown" || revision.wholeMatch(of: /[0-9a-f]{12}(-dirty)?/) != nil, "\(revision)")
    }
}
