import GenesysSimulator
import SimulatorTestSupport
import Testing

@Suite("POST /oauth/token")
struct TokenEndpointTests {
    @Test func test_clientCredentials_returnsBearerTokenWithoutRefreshToken() async throws {
        try await withSimulator { sim in
            let reply = try await sim.tokenRequest("grant_type=client_credentials")
            #expect(reply.status == 200)
            #expect(reply.header("Content-Type") == "application/json")
            #expect(reply.header("ININ-Correlation-Id")?.count == 36)
            let body = try #require(reply.json)
            #expect((body["access_token"] as? String ?? "").count >= 32)
            #expect(body["token_type"] as? String == "bearer")
            #expect(body["expires_in"] as? Int == 86399)
            #expect(body["refresh_token"] == nil)
        }
    }

    @Test func test_wrongSecret_is401InvalidClientAuthenticationFailed() async throws {
        try await withSimulator { sim in
            let reply = try await sim.tokenRequest("grant_type=client_credentials", secret: "nope")
            #expect(reply.status == 401)
            let body = try #require(reply.json)
            #expect(body["error"] as? String == "invalid_client")
            #expect(body["description"] as? String == "authentication failed")
            #expect(body["error_description"] as? String == "authentication failed")
        }
    }

    @Test func test_unknownClient_is400ClientNotFound() async throws {
        try await withSimulator { sim in
            let reply = try await sim.tokenRequest("grant_type=client_credentials", id: "someone-else")
            #expect(reply.status == 400)
            #expect(reply.oauthError == "invalid_client")
            #expect(reply.json?["error_description"] as? String == "client not found")
        }
    }

    @Test func test_missingOrGarbledBasicHeader_is401InvalidClient() async throws {
        try await withSimulator { sim in
            let body = Array("grant_type=client_credentials".utf8)
            let missing = try await sim.request("POST", "/oauth/token", headers: [formContentType], body: body)
            #expect(missing.status == 401)
            #expect(missing.oauthError == "invalid_client")
            let garbled = try await sim.request(
                "POST", "/oauth/token",
                headers: [("Authorization", "Basic !!!not-base64"), formContentType],
                body: body)
            #expect(garbled.status == 401)
            #expect(garbled.oauthError == "invalid_client")
        }
    }

    @Test func test_unsupportedGrant_is400UnauthorizedClient() async throws {
        try await withSimulator { sim in
            let reply = try await sim.tokenRequest("grant_type=password&username=a&password=b")
            #expect(reply.status == 400)
            #expect(reply.oauthError == "unauthorized_client")
            #expect(sim.counters().tokenRequests["invalid"] == 1)
        }
    }

    @Test func test_refreshGrant_rotatesRefreshToken() async throws {
        try await withSimulator { sim in
            let first = sim.issueRefreshToken()
            let reply = try await sim.tokenRequest("grant_type=refresh_token&refresh_token=\(first)")
            #expect(reply.status == 200)
            let body = try #require(reply.json)
            let second = try #require(body["refresh_token"] as? String)
            #expect(second != first)
            #expect(body["token_type"] as? String == "bearer")

            let reused = try await sim.tokenRequest("grant_type=refresh_token&refresh_token=\(first)")
            #expect(reused.status == 400)
            #expect(reused.oauthError == "invalid_grant")

            let rotated = try await sim.tokenRequest("grant_type=refresh_token&refresh_token=\(second)")
            #expect(rotated.status == 200)
            #expect(sim.counters().tokenRequests["refresh_token"] == 3)
            #expect(sim.counters().tokensIssued == 2)
        }
    }

    @Test func test_revokedRefreshTokens_areInvalidGrant() async throws {
        try await withSimulator { sim in
            let refresh = sim.issueRefreshToken()
            sim.revokeRefreshTokens()
            let reply = try await sim.tokenRequest("grant_type=refresh_token&refresh_token=\(refresh)")
            #expect(reply.status == 400)
            #expect(reply.oauthError == "invalid_grant")
            let garbage = try await sim.tokenRequest("grant_type=refresh_token&refresh_token=garbage")
            #expect(garbage.oauthError == "invalid_grant")
        }
    }

    @Test func test_rotatedClientSecret_rejectsOldSecret() async throws {
        try await withSimulator { sim in
            sim.setClientSecret("new-secret")
            let old = try await sim.tokenRequest("grant_type=client_credentials", secret: "sim-client-secret")
            #expect(old.status == 401)
            let new = try await sim.tokenRequest("grant_type=client_credentials", secret: "new-secret")
            #expect(new.status == 200)
        }
    }

    @Test func test_tokenTTL_isReportedAsExpiresIn() async throws {
        try await withSimulator(SimulatorConfiguration(tokenTTL: .seconds(300))) { sim in
            let configured = try await sim.tokenRequest("grant_type=client_credentials")
            #expect(configured.json?["expires_in"] as? Int == 300)
            sim.setTokenTTL(.seconds(172_800))
            let changed = try await sim.tokenRequest("grant_type=client_credentials")
            #expect(changed.json?["expires_in"] as? Int == 172_800)
        }
    }

    @Test func test_tokenEndpointLatency_letsConcurrentRequestsOverlap() async throws {
        try await withSimulator { sim in
            sim.setTokenEndpointLatency(.milliseconds(300))
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await sim.tokenRequest("grant_type=client_credentials").status }
                }
                for try await status in group { #expect(status == 200) }
            }
            #expect(ContinuousClock.now - start >= .milliseconds(300))
            let counters = sim.counters()
            #expect(counters.maxConcurrentTokenRequests >= 2)
            #expect(counters.tokenRequests["client_credentials"] == 4)
            #expect(counters.tokensIssued == 4)
        }
    }

    @Test func test_wrongMethod_is405() async throws {
        try await withSimulator { sim in
            let reply = try await sim.request("GET", "/oauth/token")
            #expect(reply.status == 405)
            #expect(reply.header("Allow") == "POST")
        }
    }
}
