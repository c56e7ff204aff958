import GenesysSimulator
import SimulatorTestSupport
import Testing

@Suite("Request log")
struct RequestLogTests {
    @Test func test_requestLog_recordsArrivalOrderQueryAndTheFaultMet() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            sim.inject(.status(503), path: "/api/v2/routing/queues", count: 1)
            _ = try await sim.get("/api/v2/routing/queues?pageNumber=1", token: token)
            _ = try await sim.get("/api/v2/routing/queues?pageNumber=2", token: token)
            let log = sim.requestLog()
            #expect(log.map(\.path) == ["/oauth/token", "/api/v2/routing/queues", "/api/v2/routing/queues"])
            #expect(log.map(\.fault) == [nil, .status(503), nil])
            #expect(log[2].query["pageNumber"] == "2")
            #expect(log[1].receivedAt <= log[2].receivedAt)
            sim.resetCounters()
            #expect(sim.requestLog().isEmpty)
        }
    }

    /// The status page is public: it answers without a token, and the log says which requests carried one.
    @Test func test_statusPage_answersWithoutAToken_andTheLogSaysWhoSentOne() async throws {
        try await withSimulator { sim in
            let anonymous = try await sim.request("GET", "/api/v2/summary.json")
            #expect(anonymous.status == 200)
            let components = try #require(anonymous.json?["components"] as? [[String: Any]])
            let groups = components.filter { $0["group"] as? Bool == true }.compactMap { $0["name"] as? String }
            #expect(groups == SimulatedStatusPage.groups)
            #expect((anonymous.json?["status"] as? [String: Any])?["indicator"] as? String == "none")
            let token = try await sim.clientToken()
            _ = try await sim.get("/api/v2/routing/queues", token: token)
            let log = sim.requestLog()
            #expect(log.map(\.path) == ["/api/v2/summary.json", "/oauth/token", "/api/v2/routing/queues"])
            #expect(log.map(\.hadAuthorization) == [false, true, true])
            sim.setStatusPageMaintenance(true)
            let maintenance = try await sim.request("GET", "/api/v2/summary.json")
            #expect(maintenance.status == 200)
            #expect(maintenance.header("Content-Type")?.hasPrefix("text/html") == true)
            #expect(maintenance.json == nil)
        }
    }
}
