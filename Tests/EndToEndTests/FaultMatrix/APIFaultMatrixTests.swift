import Foundation
import GenesysJSON
import GenesysSimulator
import GenesysTestSupport
import Testing

/// One fault on one collector's endpoint, and the failure reason it must be counted under.
struct APIFaultRow: Sendable, CustomTestStringConvertible {
    let name: String
    let reason: String
    var requestTimeout: Duration = .seconds(5)
    let inject: @Sendable (GenesysSimulator, FaultTarget) -> Void

    var testDescription: String { "\(name) → \(reason)" }

    /// Injects `fault` on the target's endpoint until cleared.
    static func fault(
        _ name: String, _ fault: SimulatorFault, reason: String, requestTimeout: Duration = .seconds(5)
    ) -> APIFaultRow {
        APIFaultRow(name: name, reason: reason, requestTimeout: requestTimeout) { sim, target in
            sim.inject(fault, path: target.path)
        }
    }

    static let all: [APIFaultRow] = [
        // The realistic 403: the OAuth client's role lacks the endpoint's permission (identity needs none, so a plain 403).
        APIFaultRow(name: "403 missing permission", reason: "forbidden") { sim, target in
            if let permission = target.permission {
                sim.setMissingPermissions([permission])
            } else {
                sim.inject(.status(403), path: target.path)
            }
        },
        .fault("connection reset", .connectionReset, reason: "network"),
        .fault("hang past the HTTP timeout", .hang, reason: "timeout", requestTimeout: FaultMatrix.shortRequestTimeout),
        // 16 bytes every 250 ms: every body here (≥ 290 bytes) takes over 4 s, twice the timeout.
        .fault(
            "body dripping slower than the timeout", .drip(chunkBytes: 16, every: .milliseconds(250)),
            reason: "timeout",
            requestTimeout: FaultMatrix.shortRequestTimeout),
        .fault("malformed JSON", .malformedBody, reason: "malformed_response"),
        .fault("truncated JSON", .truncatedBody, reason: "malformed_response"),
        .fault("HTML proxy page with 200", .htmlPage, reason: "malformed_response"),
        // libcurl aborts the transfer at the cap; the client reports it as a transport failure.
        .fault(
            "body over the response size cap", .oversizedBody(bytes: 2 * FaultMatrix.responseCap),
            reason: "malformed_response"),
    ]
}

@Suite("Fault matrix: API faults per collector", .timeLimit(.minutes(2)))
struct APIFaultMatrixTests {
    /// The fault downs only the collector that hit it, is counted by reason, the exporter keeps serving the
    /// others, and the collector comes back once the fault clears.
    @Test(arguments: APIFaultRow.all, FaultTarget.all)
    func test_apiFault_isCountedByReason_downsOnlyItsCollector_andRecovers(
        _ row: APIFaultRow, _ target: FaultTarget
    ) async throws {
        try await withFaultRowExporter(settings: { try FaultMatrix.settings($0, requestTimeout: row.requestTimeout) }) {
            sim, exporter in
            let baseline = try await exporter.awaitUp(target.collector)
            let injected = Date()
            row.inject(sim, target)
            try await exporter.awaitFailure(on: target, reason: row.reason, since: baseline)
            try await exporter.awaitSuccess(of: target.others, after: injected)
            let during = try await exporter.scrape()
            #expect(
                during.value("genesys_routing_queues") == Double(FaultMatrix.queueCount),
                "the last values stay published")
            let cleared = Date()
            sim.clearFaults()
            sim.setMissingPermissions([])
            try await exporter.awaitSuccess(of: [target.collector], after: cleared)
        }
    }
}
