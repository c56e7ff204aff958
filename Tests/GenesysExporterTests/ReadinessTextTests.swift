import Testing

@testable import GenesysCollectors
@testable import GenesysExporter
@testable import GenesysTelemetry

/// A collector's failure reaches `/-/ready` and `check`'s table: stripped of anything that could forge a line.
@Suite("Readiness and check text")
struct ReadinessTextTests {
    private static func hasRawHostileScalar(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.isControlOrInvisibleLayout }
    }

    @Test func test_readinessReason_andCheckVerdict_areStripped() {
        var readiness = ReadinessState(pending: ["queues"])
        readiness.finished("queues", failure: "queues: HTTP 500: boom\n\u{1B}[31mforged")
        #expect(!Self.hasRawHostileScalar(readiness.status.reason))
        #expect(readiness.status.reason.contains("boom [31mforged"))

        let row = ConnectivityCheck.Row(
            endpoint: "GET /api/v2/routing/queues", status: "400", latency: .zero,
            verdict: "client_error: HTTP 400: bad\nrow\u{1B}[2J", ok: false)
        let lines = ConnectivityCheck.table([row]).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 && !lines.contains { Self.hasRawHostileScalar(String($0)) })  // header and one row
        #expect(row.verdict == "client_error: HTTP 400: bad row [2J")
    }
}
