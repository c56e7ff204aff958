import Foundation
import GenesysCollectors
import GenesysExporter
import GenesysSimulator
import GenesysTestSupport
import SimulatorTestSupport
import Testing

/// 401s: a storm that no new token fixes, and a token revoked between two pages of a listing.
@Suite("Fault matrix: 401 storm and revocation", .timeLimit(.minutes(2)))
struct UnauthorizedFaultMatrixTests {
    /// Every 401 answered on `paths` was either retried once with a new token or, on that retry, counted as
    /// the `unauthorized` failure: nothing loops. Waits until the counts settle (the last retry completes).
    static func expectEvery401RetriedAtMostOnce(
        _ sim: GenesysSimulator, _ exporter: RunningExporter, paths: [String]
    ) async throws {
        var last: (answered: Int, retried: Double, failed: Double) = (0, 0, 0)
        let settled = await eventually(timeout: FaultMatrix.deadline) {
            guard let scrape = try? await exporter.scrape() else { return false }
            let answered = paths.reduce(0) { $0 + sim.counters().apiRequests(path: $1, status: 401) }
            let retried = paths.reduce(0) {
                $0 + scrape.sum("genesys_api_retries_total", ["endpoint": $1, "reason": "unauthorized"])
            }
            let failed = paths.reduce(0) { $0 + scrape.apiFailures($1, "unauthorized") }
            last = (answered, retried, failed)
            return answered > 0 && Double(answered) == retried + failed
        }
        #expect(
            settled, "401s answered \(last.answered) = retries \(last.retried) + unauthorized failures \(last.failed)")
        #expect(last.retried >= 1 && last.failed >= 1)
        #expect(last.failed <= last.retried, "a failure only after a retry")
        #expect(sim.tokenRequestCount <= 1 + Int(last.retried), "at most one new token per retry")
    }

    @Test(arguments: FaultTarget.all)
    func test_401Storm_isRetriedOnceWithANewToken_countedUnauthorized_neverLoops_andRecovers(
        _ target: FaultTarget
    ) async throws {
        try await withFaultRowExporter { sim, exporter in
            let baseline = try await exporter.awaitUp(target.collector)
            let injected = Date()
            sim.inject(.status(401), path: target.path)
            try await exporter.awaitFailure(on: target, reason: "unauthorized", since: baseline)
            try await exporter.awaitSuccess(of: target.others, after: injected)
            let cleared = Date()
            sim.clearFaults()
            let recovered = try await exporter.awaitSuccess(of: [target.collector], after: cleared)
            let renewals = recovered.value(
                "genesys_token_refreshes_total", ["grant_type": FaultMatrix.grant, "reason": "unauthorized"])
            #expect((renewals ?? 0) >= 1)
            try await Self.expectEvery401RetriedAtMostOnce(sim, exporter, paths: [target.path])
        }
    }

    @Test func test_401StormOnEveryEndpoint_downsEveryCollector_neverLoops_andAllRecover() async throws {
        try await withFaultRowExporter { sim, exporter in
            _ = try await exporter.awaitScrape("every collector up") { $0.allCollectorsUp() }
            sim.inject(.status(401), path: "/api/v2/*")
            // Identity stops at its first call, tokens/me.
            let firstCalls = [APIPath.tokensMe, APIPath.routingQueues, APIPath.queueObservations]
            _ = try await exporter.awaitScrape("every collector down with unauthorized failures") { scrape in
                scrape.allCollectorsUp([]) && defaultCollectors.allSatisfy { scrape.collectorUp($0) == 0 }
                    && firstCalls.allSatisfy { scrape.apiFailures($0, "unauthorized") >= 1 }
            }
            #expect(try await exporter.get("/metrics").status == 200, "still serving")
            let cleared = Date()
            sim.clearFaults()
            try await exporter.awaitSuccess(after: cleared)
            try await Self.expectEvery401RetriedAtMostOnce(sim, exporter, paths: firstCalls + [APIPath.organizationsMe])
        }
    }

    /// 600 queues are two pages of 500. The token is revoked as page 2 is asked for: page 2 answers 401, the
    /// exporter renews the token once and asks for page 2 again; the listing completes without a failure.
    @Test func test_tokenRevokedMidPagination_isRenewedOnce_andTheListingCompletes() async throws {
        let settings: (GenesysSimulator) throws -> OrgSettings = {
            try FaultMatrix.settings($0, collectors: ["queues"])
        }
        try await withFaultRowExporter(SimulatorConfiguration(queueCount: 600), settings: settings) { sim, exporter in
            let baseline = try await exporter.awaitUp("queues")
            #expect(baseline.value("genesys_routing_queues") == 600)
            sim.inject(.revokeTokens, path: APIPath.routingQueues, query: ["pageNumber": "2"], count: 1)
            try await awaitCondition("the token revoked on page 2", timeout: FaultMatrix.deadline) {
                sim.faultedRequestAndNext(on: APIPath.routingQueues, where: { $0 == .revokeTokens })?.next != nil
            }
            let (revoked, retried) = try #require(
                sim.faultedRequestAndNext(on: APIPath.routingQueues, where: { $0 == .revokeTokens }))
            #expect(retried?.query["pageNumber"] == "2", "page 2 asked for again, not the listing restarted")
            let scrape = try await exporter.awaitSuccess(of: ["queues"], after: revoked.receivedAtDate)
            #expect(scrape.value("genesys_routing_queues") == 600)
            #expect(
                scrape.apiFailures(APIPath.routingQueues) == baseline.apiFailures(APIPath.routingQueues),
                "the listing never failed")
            #expect(
                scrape.sum("genesys_api_retries_total", ["endpoint": APIPath.routingQueues, "reason": "unauthorized"])
                    == 1)
            #expect(
                scrape.value(
                    "genesys_token_refreshes_total", ["grant_type": FaultMatrix.grant, "reason": "unauthorized"]) == 1)
            #expect(sim.counters().apiRequests(path: APIPath.routingQueues, status: 401) == 1)
        }
    }
}
