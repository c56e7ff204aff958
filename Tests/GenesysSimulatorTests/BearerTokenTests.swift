import GenesysSimulator
import NIOConcurrencyHelpers
import NIOCore
import SimulatorTestSupport
import Testing

@Suite("Bearer tokens on /api/v2")
struct BearerTokenTests {
    @Test func test_missingToken_is401AuthenticationRequired() async throws {
        try await withSimulator { sim in
            let reply = try await sim.request("GET", "/api/v2/organizations/me")
            #expect(reply.status == 401)
            let body = try #require(reply.json)
            #expect(body["code"] as? String == "authentication.required")
            #expect(body["status"] as? Int == 401)
            #expect((body["contextId"] as? String)?.count == 36)
            #expect((body["details"] as? [Any])?.isEmpty == true)
            #expect((body["errors"] as? [Any])?.isEmpty == true)
            #expect(body["message"] is String)
        }
    }

    @Test func test_unknownToken_is401BadCredentials() async throws {
        try await withSimulator { sim in
            let reply = try await sim.get("/api/v2/organizations/me", token: "not-a-token-we-issued-0123456789")
            #expect(reply.status == 401)
            #expect(reply.errorCode == "bad.credentials")
        }
    }

    @Test func test_expiredToken_is401CredentialsExpiredAndCounted() async throws {
        // The simulator's time is moved by hand, so a loaded machine cannot expire the token early.
        let skew = NIOLockedValueBox(TimeAmount.zero)
        var configuration = SimulatorConfiguration(tokenTTL: .seconds(60))
        configuration.now = { .now() + skew.withLockedValue { $0 } }
        try await withSimulator(configuration) { sim in
            let token = try await sim.clientToken()
            #expect(try await sim.get("/api/v2/organizations/me", token: token).status == 200)
            skew.withLockedValue { $0 = .seconds(61) }
            let last = try await sim.get("/api/v2/organizations/me", token: token)
            #expect(last.status == 401)
            #expect(last.errorCode == "credentials.expired")
            #expect(sim.counters().requestsWithExpiredToken >= 1)
        }
    }

    @Test func test_revokedTokens_are401BadCredentials_newTokensWork() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            sim.revokeAllTokens()
            let revoked = try await sim.get("/api/v2/organizations/me", token: token)
            #expect(revoked.status == 401)
            #expect(revoked.errorCode == "bad.credentials")
            #expect(sim.counters().requestsWithExpiredToken == 0)
            let fresh = try await sim.clientToken()
            #expect(try await sim.get("/api/v2/organizations/me", token: fresh).status == 200)
        }
    }

    @Test func test_revokeAllTokens_keepsRefreshTokensValid() async throws {
        try await withSimulator { sim in
            let refresh = sim.issueRefreshToken()
            sim.revokeAllTokens()
            let grant = try await sim.tokenRequest("grant_type=refresh_token&refresh_token=\(refresh)")
            #expect(grant.status == 200)
        }
    }
}

@Suite("Identity endpoints")
struct IdentityTests {
    @Test func test_tokensMe_describesOrganizationAndOAuthClient() async throws {
        try await withSimulator { sim in
            let reply = try await sim.get("/api/v2/tokens/me", token: try await sim.clientToken())
            #expect(reply.status == 200)
            let body = try #require(reply.json)
            let organization = try #require(body["organization"] as? [String: Any])
            #expect(organization["id"] as? String == sim.configuration.orgID)
            #expect(organization["name"] as? String == "Simulated Contact Center")
            #expect((body["homeOrganization"] as? [String: Any])?["id"] as? String == sim.configuration.orgID)
            #expect(body["authorizedScope"] is [String])
            let client = try #require(body["OAuthClient"] as? [String: Any])
            #expect(client["id"] as? String == "sim-client-id")
            #expect(client["authorizedGrantType"] as? String == "CLIENT-CREDENTIALS")
            #expect(client["state"] as? String == "active")
            #expect(body["dateTokenIdles"] is String)
        }
    }

    @Test func test_usersMe_needsUserContext() async throws {
        try await withSimulator { sim in
            let reply = try await sim.get("/api/v2/users/me", token: try await sim.clientToken())
            #expect(reply.status == 400)
            #expect(reply.errorCode == "bad.request")
            #expect((reply.json?["message"] as? String)?.hasPrefix("This request requires a user context.") == true)

            let refresh = sim.issueRefreshToken()
            let grant = try await sim.tokenRequest("grant_type=refresh_token&refresh_token=\(refresh)")
            let userToken = try #require(grant.json?["access_token"] as? String)
            let me = try await sim.get("/api/v2/users/me", token: userToken)
            #expect(me.status == 200)
            #expect(me.json?["name"] as? String == "Sim User")
            #expect(me.json?["state"] as? String == "active")
        }
    }

    @Test func test_organizationsMe_shape() async throws {
        try await withSimulator { sim in
            let reply = try await sim.get("/api/v2/organizations/me", token: try await sim.clientToken())
            let body = try #require(reply.json)
            #expect(body["id"] as? String == sim.configuration.orgID)
            #expect(body["defaultLanguage"] as? String == "en-us")
            #expect(body["productPlatform"] as? String == "PureCloud")
            #expect(body["state"] as? String == "active")
            #expect(body["version"] is Int)
            #expect((body["selfUri"] as? String)?.hasPrefix("/api/v2/organizations/") == true)
        }
    }
}
