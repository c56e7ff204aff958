import Foundation
import GenesysExporter
import GenesysSimulator
import GenesysTestSupport
import SimulatorTestSupport
import Testing

/// The references in docs/ and the golden demo page are generated from the code, as node_exporter's
/// `collector/fixtures/e2e-output.txt` is: these tests fail when a committed file differs from what the code
/// produces now, and `scripts/update-references` (GENESYS_UPDATE_REFERENCES=1) rewrites them.
@Suite("Generated references: docs/flags.md, docs/metrics.md and the golden demo page match the code", .serialized)
struct ReferenceDocsTests {
    @Test func test_metricReferenceAndGoldenPage_matchTheCode() async throws {
        let catalogue = try await MetricCatalogue.measure()
        try ReferenceFile.compare("docs/metrics.md", catalogue.markdown())
        try ReferenceFile.compare("Tests/Fixtures/demo-exposition.prom", catalogue.goldenPage)
    }

    @Test func test_flagReference_matchesTheCommandLine() async throws {
        let path = try #require(ChildProcess.exporterPath, "genesys-exporter is built beside the tests")
        var sections: [String] = []
        for command in ["run", "check"] {
            let result = try await ChildProcess.run(path, [command, "--experimental-dump-help"])
            #expect(result.status == 0, "\(result.stderr)")
            sections.append(try FlagReference.section(dumpedHelp: result.stdout))
        }
        try ReferenceFile.compare("docs/flags.md", FlagReference.document(sections))
    }

    /// The README's collectors table: name, default, what it polls and the permission, from the registry.
    @Test func test_readmeCollectorTable_matchesTheRegistry() throws {
        var table = "| collector | default | what it polls | permission |\n|---|---|---|---|\n"
        for collector in CollectorRegistry.all {
            table += "| `\(collector.name)` | \(collector.enabledByDefault ? "on" : "off") | \(collector.help) | "
            table += MetricCatalogue.permissions(of: collector.name) + " |\n"
        }
        try ReferenceFile.compareBlock(
            "README.md", after: "<!-- collectors: generated from CollectorRegistry by scripts/update-references -->\n",
            before: "<!-- end of collectors -->", table)
    }
}

/// A committed file that the code generates.
enum ReferenceFile {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var updating: Bool { ProcessInfo.processInfo.environment["GENESYS_UPDATE_REFERENCES"] == "1" }

    /// `compare` for the generated block of a hand-written file, between two marker lines.
    static func compareBlock(_ relativePath: String, after start: String, before end: String, _ block: String) throws {
        let text = try String(contentsOf: root.appendingPathComponent(relativePath), encoding: .utf8)
        guard let opening = text.range(of: start),
            let closing = text.range(of: end, range: opening.upperBound..<text.endIndex)
        else {
            Issue.record("\(relativePath) lost its markers \(start) and \(end)")
            return
        }
        try compare(relativePath, text.replacingCharacters(in: opening.upperBound..<closing.lowerBound, with: block))
    }

    /// Rewrites the file when updating; otherwise records an issue naming the first differing line.
    static func compare(_ relativePath: String, _ generated: String) throws {
        let url = root.appendingPathComponent(relativePath)
        if updating {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try generated.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let committed = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        guard committed != generated else { return }
        let old = committed.split(separator: "\n", omittingEmptySubsequences: false)
        let new = generated.split(separator: "\n", omittingEmptySubsequences: false)
        let line = Array(zip(old, new)).firstIndex { $0 != $1 } ?? min(old.count, new.count)
        let was = line < old.count ? String(old[line]) : "<end of file>"
        let now = line < new.count ? String(new[line]) : "<end of file>"
        Issue.record(
            """
            \(relativePath) is stale at line \(line + 1): run scripts/update-references and commit the result.
              committed: \(was)
              generated: \(now)
            """)
    }
}
