import GenesysSimulator
import SimulatorTestSupport
import Testing

@Suite("Server, headers, rate limit and counters")
struct ServerBehaviourTests {
    @Test func test_keepAlive_reusesOneConnection() async throws {
        try await withSimulator { sim in
            let connection = try await RawHTTPConnection.open(port: sim.port)
            defer { connection.close() }
            let grant = try await connection.send(
                "POST", "/oauth/token",
                headers: [basicAuthorization("sim-client-id", "sim-client-secret"), formContentType],
                body: Array("grant_type=client_credentials".utf8))
            let token = try #require(grant.json?["access_token"] as? String)
            for _ in 0..<3 {
                #expect(try await connection.send("GET", "/api/v2/tokens/me", headers: [bearer(token)]).status == 200)
            }
            #expect(sim.counters().connectionsAccepted == 1)
        }
    }

    @Test func test_apiResponses_carryCorrelationAndRateLimitHeaders() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            let first = try await sim.get("/api/v2/organizations/me", token: token)
            let second = try await sim.get("/api/v2/organizations/me", token: token)
            #expect(first.header("content-type") == "application/json")
            #expect(first.header("inin-correlation-id") != second.header("inin-correlation-id"))
            #expect(first.header("inin-ratelimit-allowed") == "300")
            #expect(first.header("inin-ratelimit-count") == "1")
            #expect(second.header("inin-ratelimit-count") == "2")
            let reset = Int(second.header("inin-ratelimit-reset") ?? "") ?? -1
            #expect((1...60).contains(reset))
        }
    }

    @Test func test_rateLimit_answers429WithRetryAfter_perToken() async throws {
        try await withSimulator(SimulatorConfiguration(rateLimitPerMinute: 3)) { sim in
            let token = try await sim.clientToken()
            for count in 1...3 {
                let reply = try await sim.get("/api/v2/organizations/me", token: token)
                #expect(reply.status == 200)
                #expect(reply.header("inin-ratelimit-count") == String(count))
                #expect(reply.header("inin-ratelimit-allowed") == "3")
            }
            let limited = try await sim.get("/api/v2/organizations/me", token: token)
            #expect(limited.status == 429)
            #expect(limited.errorCode == "too.many.requests")
            let retryAfter = Int(limited.header("Retry-After") ?? "") ?? -1
            #expect((1...60).contains(retryAfter))

            let other = try await sim.clientToken()
            #expect(try await sim.get("/api/v2/organizations/me", token: other).status == 200)

            sim.setRateLimit(perMinute: nil)
            #expect(try await sim.get("/api/v2/organizations/me", token: token).status == 200)
        }
    }

    @Test func test_unknownPath_is404NotFound() async throws {
        try await withSimulator { sim in
            let reply = try await sim.get("/api/v2/nothing/here", token: try await sim.clientToken())
            #expect(reply.status == 404)
            #expect(reply.errorCode == "not.found")
            #expect(reply.header("ININ-Correlation-Id") != nil)
        }
    }

    @Test func test_counters_countByGrantPathAndStatus_andReset() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            _ = try await sim.tokenRequest("grant_type=client_credentials", secret: "wrong")
            _ = try await sim.request("POST", "/oauth/token", headers: [basicAuthorization("sim-client-id", "x")])
            _ = try await sim.get("/api/v2/routing/queues", token: token)
            _ = try await sim.get("/api/v2/routing/queues?pageNumber=2", token: token)
            _ = try await sim.request("GET", "/api/v2/routing/queues")
            var counters = sim.counters()
            #expect(counters.tokenRequests == ["client_credentials": 2, "invalid": 1])
            #expect(counters.tokensIssued == 1)
            #expect(counters.apiRequests["/api/v2/routing/queues"] == [200: 2, 401: 1])
            #expect(counters.apiRequests(path: "/api/v2/routing/queues") == 3)
            #expect(counters.apiRequests["/oauth/token"] == nil)
            #expect(counters.connectionsAccepted == 6)
            #expect(counters.maxConcurrentTokenRequests == 1)

            sim.resetCounters()
            counters = sim.counters()
            #expect(counters.tokenRequests.isEmpty)
            #expect(counters.apiRequests.isEmpty)
            #expect(counters.connectionsAccepted == 0)
        }
    }

    @Test func test_lifecycle_portBaseURLAndSingleStart() async throws {
        let sim = GenesysSimulator()
        #expect(sim.port == 0)
        try await sim.start()
        #expect(sim.port > 0)
        #expect(sim.baseURL == "http://127.0.0.1:\(sim.port)")
        await #expect(throws: SimulatorError.alreadyStarted) { try await sim.start() }
        try await sim.shutdown()
        try await sim.shutdown()
        await #expect(throws: RawHTTPError.self) { try await RawHTTPConnection.open(port: sim.port) }
    }

    @Test func test_movingObservations_matchQueriesMadeAtTheSameMoment() async throws {
        try await withSimulator(SimulatorConfiguration(movingObservations: true)) { sim in
            let token = try await sim.clientToken()
            let queue = sim.queues()[0].id
            // A 10 s slot boundary may fall between the query and the read-back: retry once.
            var matched = false
            for _ in 0..<3 where !matched {
                let reply = try await sim.observe([queue], metrics: ["oWaiting"], token: token)
                let results = reply.json?["results"] as? [[String: Any]] ?? []
                let voice = results.first { ($0["group"] as? [String: String])?["mediaType"] == "voice" }
                let count = ((voice?["data"] as? [[String: Any]])?.first?["stats"] as? [String: Any])?["count"] as? Int
                matched = count == sim.observation(queueID: queue, mediaType: "voice", metric: "oWaiting")
            }
            #expect(matched)
        }
    }
}
