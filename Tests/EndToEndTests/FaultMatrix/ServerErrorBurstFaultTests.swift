import Foundation
import GenesysSimulator
import GenesysTestSupport
import Testing

@Suite("Fault matrix: 5xx bursts", .timeLimit(.minutes(2)))
struct ServerErrorBurstFaultTests {
    /// 500, 502, 503, 504 in a row: each is one `server_error` (no retry of a 5xx), the collector backs off
    /// and is up again on its own once the burst is over.
    @Test(arguments: FaultTarget.all)
    func test_5xxBurst_countsEachServerError_andRecoversOnItsOwn(_ target: FaultTarget) async throws {
        try await withFaultRowExporter { sim, exporter in
            let baseline = try await exporter.awaitUp(target.collector)
            let burst = [500, 502, 503, 504]
            for status in burst { sim.inject(.status(status), path: target.path, count: 1) }
            try await exporter.awaitFailure(on: target, reason: "server_error", since: baseline, lasting: false)
            try await awaitCondition("the whole burst answered", timeout: FaultMatrix.deadline) {
                sim.counters().apiRequests(path: target.path, status: 504) == 1
            }
            let recovered = try await exporter.awaitSuccess(of: [target.collector], after: Date())
            let counted =
                recovered.apiFailures(target.path, "server_error") - baseline.apiFailures(target.path, "server_error")
            #expect(counted == Double(burst.count))
            for status in burst {
                #expect(sim.counters().apiRequests(path: target.path, status: status) == 1, "\(status) answered once")
                #expect(
                    recovered.value("genesys_api_requests_total", ["endpoint": target.path, "code": String(status)])
                        == 1)
            }
        }
    }
}
