import GenesysSimulator
import SimulatorTestSupport
import Testing

@Suite("Fault injection")
struct FaultTests {
    static let org = "/api/v2/organizations/me"

    @Test func test_statusFault_answersGenesysErrorBodyWithRetryAfter() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            sim.inject(.status(503, retryAfter: 7), path: Self.org)
            let reply = try await sim.get(Self.org, token: token)
            #expect(reply.status == 503)
            #expect(reply.header("Retry-After") == "7")
            #expect(reply.errorCode == "service.unavailable")
            #expect(reply.json?["status"] as? Int == 503)
            #expect(sim.counters().apiRequests(path: Self.org, status: 503) == 1)
        }
    }

    @Test func test_statusFaultOnTokenEndpoint_answersOAuthErrorBody() async throws {
        try await withSimulator { sim in
            sim.inject(.status(500), path: "/oauth/token", count: 1)
            let reply = try await sim.tokenRequest("grant_type=client_credentials")
            #expect(reply.status == 500)
            #expect(reply.oauthError == "server_error")
            #expect(reply.json?["error_description"] is String)
            #expect(try await sim.tokenRequest("grant_type=client_credentials").status == 200)
            #expect(sim.counters().tokenRequests["client_credentials"] == 2)
            #expect(sim.counters().tokensIssued == 1)
        }
    }

    @Test func test_countedFault_isConsumed_thenClearedRulesStop() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            sim.inject(.status(502), path: Self.org, count: 2)
            var statuses: [Int] = []
            for _ in 0..<3 { statuses.append(try await sim.get(Self.org, token: token).status) }
            #expect(statuses == [502, 502, 200])

            sim.inject(.status(500), path: Self.org)
            #expect(try await sim.get(Self.org, token: token).status == 500)
            #expect(try await sim.get(Self.org, token: token).status == 500)
            sim.clearFaults()
            #expect(try await sim.get(Self.org, token: token).status == 200)
        }
    }

    @Test func test_prefixAndMethodMatching() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            sim.inject(.status(504), path: "/api/v2/routing/*", method: "GET")
            sim.inject(.status(500), path: "/api/v2/analytics/*", method: "DELETE")
            #expect(try await sim.get("/api/v2/routing/queues?pageSize=5", token: token).status == 504)
            #expect(try await sim.get(Self.org, token: token).status == 200)
            let query = try await sim.observe([sim.queues()[0].id], metrics: ["oWaiting"], token: token)
            #expect(query.status == 200)
        }
    }

    @Test func test_queryMatching_faultsOnlyRequestsCarryingThoseParameters() async throws {
        try await withSimulator(.init(queueCount: 60)) { sim in
            let token = try await sim.clientToken()
            sim.inject(.status(503), path: "/api/v2/routing/queues", query: ["pageNumber": "2"], count: 1)
            #expect(try await sim.get("/api/v2/routing/queues?pageSize=25&pageNumber=1", token: token).status == 200)
            #expect(try await sim.get("/api/v2/routing/queues?pageSize=25", token: token).status == 200)
            #expect(try await sim.get("/api/v2/routing/queues?pageSize=25&pageNumber=2", token: token).status == 503)
            #expect(try await sim.get("/api/v2/routing/queues?pageSize=25&pageNumber=2", token: token).status == 200)
        }
    }

    @Test func test_revokeTokensFault_revokesEveryTokenThenAnswers401_newTokensWork() async throws {
        try await withSimulator { sim in
            let first = try await sim.clientToken()
            let second = try await sim.clientToken()
            sim.inject(.revokeTokens, path: Self.org, count: 1)
            let revoked = try await sim.get(Self.org, token: first)
            #expect(revoked.status == 401)
            #expect(revoked.errorCode == "bad.credentials")
            #expect(
                try await sim.get("/api/v2/tokens/me", token: second).status == 401,
                "every token, not only the one used")
            #expect(try await sim.get(Self.org, token: try await sim.clientToken()).status == 200)
        }
    }

    @Test func test_malformedBody_is200WithInvalidJSON() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            sim.inject(.malformedBody, path: "/api/v2/routing/queues", count: 1)
            let reply = try await sim.get("/api/v2/routing/queues", token: token)
            #expect(reply.status == 200)
            #expect(!reply.body.isEmpty)
            #expect(reply.json == nil)
        }
    }

    @Test func test_connectionReset_closesWithoutResponse() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            sim.inject(.connectionReset, path: Self.org, count: 1)
            let error = await #expect(throws: RawHTTPError.self) { try await sim.get(Self.org, token: token) }
            #expect(error == .reset || error == .closed, "expected an abrupt close, got \(String(describing: error))")
            do {
                _ = try await sim.get(Self.org, token: token)
            } catch {
                Issue.record("the rule should have been used up: \(error)")
            }
            #expect(sim.counters().apiRequests(path: Self.org, status: 0) == 1)
            #expect(sim.counters().apiRequests(path: Self.org, status: 200) == 1)
        }
    }

    @Test func test_hang_neverAnswers_andShutdownClosesTheConnection() async throws {
        let sim = GenesysSimulator()
        try await sim.start()
        let token = try await sim.clientToken()
        sim.inject(.hang, path: Self.org)
        let connection = try await RawHTTPConnection.open(port: sim.port)
        defer { connection.close() }
        await #expect(throws: RawHTTPError.timeout) {
            try await connection.send("GET", Self.org, headers: [bearer(token)], timeout: .milliseconds(300))
        }
        // Other requests are not held up by the hung one.
        #expect(try await sim.get("/api/v2/tokens/me", token: token).status == 200)
        let start = ContinuousClock.now
        try await sim.shutdown()
        #expect(ContinuousClock.now - start < .seconds(10), "the hung connection does not hold shutdown up")
        #expect(await connection.waitForClose(timeout: .seconds(2)))
        try await sim.shutdown()  // idempotent
    }

    @Test func test_delay_answersNormallyAfterTheDelay_withoutBlockingOthers() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            let delay = Duration.milliseconds(1_500)
            sim.inject(.delay(delay), path: Self.org, count: 1)
            let start = ContinuousClock.now
            async let slow = sim.get(Self.org, token: token)
            try await Task.sleep(for: .milliseconds(50))
            let fast = try await sim.get("/api/v2/tokens/me", token: token)
            let fastElapsed = ContinuousClock.now - start
            let slowReply = try await slow
            let slowElapsed = ContinuousClock.now - start
            #expect(fast.status == 200)
            // Only lower bounds on time: a loaded machine makes everything later, never earlier.
            #expect(fastElapsed < slowElapsed, "the delayed reply did not hold up the other")
            #expect(slowReply.status == 200)
            #expect(slowReply.json?["id"] as? String == sim.configuration.orgID)
            #expect(slowElapsed >= delay)
        }
    }
}
