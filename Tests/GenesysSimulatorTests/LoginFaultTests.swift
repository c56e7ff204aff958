import GenesysSimulator
import SimulatorTestSupport
import Testing

/// Login-service faults: its 400-shaped rate limit and token responses with odd `expires_in` values.
@Suite("Login service faults")
struct LoginFaultTests {
    @Test func test_loginRateLimited_is400InvalidRequest_rateLimitExceeded() async throws {
        try await withSimulator { sim in
            sim.inject(.loginRateLimited, path: "/oauth/token", count: 1)
            let reply = try await sim.tokenRequest("grant_type=client_credentials")
            #expect(reply.status == 400)
            #expect(reply.oauthError == "invalid_request")
            #expect(reply.json?["description"] as? String == "rate limit exceeded; retry later")
            #expect(reply.json?["error_description"] as? String == "rate limit exceeded; retry later")
            #expect(try await sim.tokenRequest("grant_type=client_credentials").status == 200)
            #expect(sim.counters().tokensIssued == 1)
        }
    }

    @Test func test_loginRateLimited_onAnAPIPath_isThePlatformAPIs429() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            sim.inject(.loginRateLimited, path: "/api/v2/tokens/me", count: 1)
            let reply = try await sim.get("/api/v2/tokens/me", token: token)
            #expect(reply.status == 429)
            #expect(reply.errorCode == "too.many.requests")
            #expect(reply.header("Retry-After") == "1")
        }
    }

    @Test(arguments: ["0", "-60", "1e12", #""86399""#, "null"])
    func test_tokenExpiresIn_replacesTheRawValue_andTheTokenStillWorks(_ raw: String) async throws {
        try await withSimulator(.init(tokenTTL: .seconds(600))) { sim in
            sim.inject(.tokenExpiresIn(rawJSON: raw), path: "/oauth/token", count: 1)
            let reply = try await sim.tokenRequest("grant_type=client_credentials")
            #expect(reply.status == 200)
            #expect(reply.text.contains(#""expires_in":\#(raw)"#), "raw text in place: \(reply.text)")
            #expect(reply.json?["token_type"] as? String == "bearer")
            let token = try #require(reply.json?["access_token"] as? String)
            #expect(try await sim.get("/api/v2/tokens/me", token: token).status == 200, "valid for the configured TTL")
            let next = try await sim.tokenRequest("grant_type=client_credentials")
            #expect(next.json?["expires_in"] as? Int == 600, "the rule was used up")
        }
    }

    @Test func test_tokenExpiresIn_onAnAPIPath_changesNothing() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            sim.inject(.tokenExpiresIn(rawJSON: "0"), path: "/api/v2/organizations/me", count: 1)
            let reply = try await sim.get("/api/v2/organizations/me", token: token)
            #expect(reply.status == 200)
            #expect(reply.json?["id"] as? String == sim.configuration.orgID)
        }
    }
}
