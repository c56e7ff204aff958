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
}
