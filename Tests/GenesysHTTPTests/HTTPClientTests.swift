import Foundation
import GenesysSimulator
import SimulatorTestSupport
import Testing

@testable import GenesysHTTP

@Suite("HTTP client over libcurl")
struct HTTPClientTests {
    /// A bearer token from the simulator's token endpoint, asked for over this client (the token provider is a
    /// layer above; Foundation's JSON reader keeps this target to GenesysHTTP).
    private func token(_ sim: GenesysSimulator, _ client: HTTPClient) async throws -> String {
        let response = try await client.send(
            HTTPRequest(
                method: "POST", url: sim.baseURL + "/oauth/token",
                headers: [
                    ("Authorization", "Basic " + Self.basicCredentials(sim)),
                    ("Content-Type", "application/x-www-form-urlencoded"),
                ],
                body: Array("grant_type=client_credentials".utf8)))
        return try #require(try Self.jsonObject(response.body)["access_token"] as? String)
    }

    private static func basicCredentials(_ sim: GenesysSimulator) -> String {
        Data("\(sim.configuration.clientID):\(sim.configuration.clientSecret)".utf8).base64EncodedString()
    }

    private static func jsonObject(_ body: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
    }

    @Test func test_roundTrip_carriesStatusHeadersBodyAndOrderedTiming() async throws {
        try await withSimulator { sim in
            let client = HTTPClient()
            defer { client.shutdown() }
            let bearer = try await token(sim, client)
            let response = try await client.send(
                HTTPRequest(
                    url: sim.baseURL + "/api/v2/organizations/me", headers: [("Authorization", "Bearer \(bearer)")]))
            #expect(response.status == 200)
            #expect(response.headers["content-type"]?.hasPrefix("application/json") == true)
            #expect(response.headers["inin-correlation-id"]?.count == 36)
            #expect(response.headers["inin-ratelimit-allowed"].flatMap(Int.init) != nil)
            #expect(response.headers["ININ-CORRELATION-ID"] == response.headers["inin-correlation-id"])
            #expect(try Self.jsonObject(response.body)["id"] as? String == sim.configuration.orgID)
            let timing = response.timing
            #expect(timing.dns <= timing.connect)
            #expect(timing.connect <= timing.firstByte)
            #expect(timing.firstByte <= timing.total)
            #expect(timing.total > .zero)
        }
    }

    @Test func test_postBody_reachesTheServer() async throws {
        try await withSimulator { sim in
            let client = HTTPClient()
            defer { client.shutdown() }
            let response = try await client.send(
                HTTPRequest(
                    method: "POST", url: sim.baseURL + "/oauth/token",
                    headers: [
                        (
                            "Authorization",
                            "Basic "
                                + Data("\(sim.configuration.clientID):\(sim.configuration.clientSecret)".utf8)
                                .base64EncodedString()
                        ),
                        ("Content-Type", "application/x-www-form-urlencoded"),
                    ],
                    body: Array("grant_type=client_credentials".utf8)))
            #expect(response.status == 200)
            #expect(try Self.jsonObject(response.body)["token_type"] as? String == "bearer")
        }
    }

    @Test func test_hungServer_givesTimeoutWithinItsBound() async throws {
        try await withSimulator { sim in
            sim.inject(.hang, path: "/api/v2/organizations/me")
            let client = HTTPClient()
            defer { client.shutdown() }
            let started = ContinuousClock.now
            let error = await #expect(throws: HTTPClientError.self) {
                _ = try await client.send(
                    HTTPRequest(url: sim.baseURL + "/api/v2/organizations/me", timeout: .milliseconds(300)))
            }
            let elapsed = ContinuousClock.now - started
            guard case .timeout = error else {
                Issue.record("expected timeout, got \(String(describing: error))"); return
            }
            #expect(elapsed >= .milliseconds(250))
            // A hang never ends; starved runs of the parallel suite beside a fuzzer took 3.1 s and 10.9 s.
            #expect(elapsed < .seconds(30))
        }
    }

    @Test func test_connectionReset_givesTypedResetError() async throws {
        try await withSimulator { sim in
            sim.inject(.connectionReset, path: "/api/v2/organizations/me")
            let client = HTTPClient()
            defer { client.shutdown() }
            let error = await #expect(throws: HTTPClientError.self) {
                _ = try await client.send(HTTPRequest(url: sim.baseURL + "/api/v2/organizations/me"))
            }
            guard case .connectionReset = error else {
                Issue.record("expected connectionReset, got \(String(describing: error))"); return
            }
        }
    }

    @Test func test_closedPort_givesConnectionRefused() async throws {
        let port = try await withSimulator { sim in sim.port }  // shut down: nothing listens there now
        let client = HTTPClient()
        defer { client.shutdown() }
        let error = await #expect(throws: HTTPClientError.self) {
            _ = try await client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/", connectTimeout: .seconds(2)))
        }
        guard case .connectionRefused(let message) = error else {
            Issue.record("expected connectionRefused, got \(String(describing: error))"); return
        }
        #expect(!message.isEmpty)
    }

    @Test func test_unknownHost_givesDNSFailure() async throws {
        let client = HTTPClient()
        defer { client.shutdown() }
        let error = await #expect(throws: HTTPClientError.self) {
            _ = try await client.send(HTTPRequest(url: "http://no-such-host.invalid/", timeout: .seconds(5)))
        }
        guard case .dnsFailure = error else {
            Issue.record("expected dnsFailure, got \(String(describing: error))"); return
        }
    }

    @Test func test_oversizedResponse_isRefusedWithTypedError() async throws {
        try await withSimulator(SimulatorConfiguration(queueCount: 500)) { sim in
            let client = HTTPClient(configuration: HTTPClientConfiguration(maxResponseBytes: 4096))
            defer { client.shutdown() }
            let bearer = try await token(sim, client)
            let error = await #expect(throws: HTTPClientError.self) {
                _ = try await client.send(
                    HTTPRequest(
                        url: sim.baseURL + "/api/v2/routing/queues?pageSize=500",
                        headers: [("Authorization", "Bearer \(bearer)")]))
            }
            #expect(error == .responseTooLarge(limit: 4096))
        }
    }

    @Test func test_sequentialRequests_reuseOneConnection() async throws {
        try await withSimulator { sim in
            let client = HTTPClient()
            defer { client.shutdown() }
            let before = sim.counters().connectionsAccepted
            var newConnections = 0
            for _ in 0..<100 {
                let response = try await client.send(HTTPRequest(url: sim.baseURL + "/api/v2/organizations/me"))
                #expect(response.status == 401)
                newConnections += response.newConnections
            }
            #expect(sim.counters().connectionsAccepted - before == 1)
            #expect(newConnections == 1)
        }
    }

    @Test func test_fiftyConcurrentRequests_allSucceed() async throws {
        try await withSimulator { sim in
            let client = HTTPClient()
            defer { client.shutdown() }
            let bearer = try await token(sim, client)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        try await client.send(
                            HTTPRequest(
                                url: sim.baseURL + "/api/v2/tokens/me", headers: [("Authorization", "Bearer \(bearer)")]
                            )
                        ).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.count == 50)
            #expect(statuses.allSatisfy { $0 == 200 })
        }
    }

    @Test func test_cancellingTheTask_abortsAHungTransfer() async throws {
        try await withSimulator { sim in
            sim.inject(.hang, path: "/api/v2/organizations/me")
            let client = HTTPClient()
            defer { client.shutdown() }
            let request = Task {
                try await client.send(HTTPRequest(url: sim.baseURL + "/api/v2/organizations/me", timeout: .seconds(60)))
            }
            #expect(await eventually { sim.counters().apiRequests(path: "/api/v2/organizations/me") > 0 })
            let started = ContinuousClock.now
            request.cancel()
            let result = await request.result
            #expect(ContinuousClock.now - started < .seconds(10), "far below the 60 s request timeout, even under load")
            guard case .failure(let error as HTTPClientError) = result, error == .cancelled else {
                Issue.record("expected .cancelled, got \(result)")
                return
            }
        }
    }

    @Test func test_invalidURL_givesInvalidRequest() async {
        let client = HTTPClient()
        defer { client.shutdown() }
        let error = await #expect(throws: HTTPClientError.self) {
            _ = try await client.send(HTTPRequest(url: "ftp://127.0.0.1/"))
        }
        guard case .invalidRequest = error else {
            Issue.record("expected invalidRequest, got \(String(describing: error))"); return
        }
    }
}

@Suite("HTTP client request shapes")
struct HTTPRequestShapeTests {
    @Test func test_postWithoutBody_isSentAsPOST() async throws {
        try await withSimulator { sim in
            let client = HTTPClient()
            defer { client.shutdown() }
            // GET on the token endpoint is 405; an empty POST reaches the grant logic (400/401, not 405).
            let response = try await client.send(HTTPRequest(method: "POST", url: sim.baseURL + "/oauth/token"))
            #expect(response.status != 405)
            #expect(response.status >= 400 && response.status < 500)
        }
    }

    @Test func test_trimming_treatsCRLFAsTwoScalars() {
        #expect("secret\r\n".trimming(" \t\r\n") == "secret")
        #expect("  value\n".trimming(" \t\r\n") == "value")
        #expect("\r\n".trimming("\r\n") == "")
    }
}

@Suite("HTTP client TLS")
struct HTTPClientTLSTests {
    @Test func test_httpsToAPlainHTTPServer_givesTypedTLSFailure() async throws {
        try await withSimulator { sim in
            let client = HTTPClient()
            defer { client.shutdown() }
            let error = await #expect(throws: HTTPClientError.self) {
                _ = try await client.send(
                    HTTPRequest(url: "https://127.0.0.1:\(sim.port)/api/v2/organizations/me", timeout: .seconds(5)))
            }
            guard case .tlsFailure(let message) = error else {
                Issue.record("expected tlsFailure, got \(String(describing: error))"); return
            }
            #expect(!message.isEmpty)
        }
    }
}
