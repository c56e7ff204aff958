import GenesysSimulator
import SimulatorTestSupport
import Testing

/// Faults that answer with a body the client must refuse: cut short, HTML, oversized, or dripping in.
@Suite("Body faults")
struct BodyFaultTests {
    static let org = "/api/v2/organizations/me"

    @Test func test_truncatedBody_isTheNormalJSONCutInHalf_withAMatchingContentLength() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            let whole = try await sim.get(Self.org, token: token)
            sim.inject(.truncatedBody, path: Self.org, count: 1)
            let cut = try await sim.get(Self.org, token: token)
            #expect(cut.status == 200)
            #expect(cut.header("Content-Length") == String(cut.body.count), "a complete HTTP message")
            #expect(cut.body.count == whole.body.count / 2)
            #expect(Array(whole.body.prefix(cut.body.count)) == cut.body)
            #expect(cut.json == nil, "the JSON ends early")
            #expect(sim.counters().apiRequests(path: Self.org, status: 200) == 2)
        }
    }

    @Test func test_truncatedBody_onTheTokenEndpoint_cutsTheTokenResponse() async throws {
        try await withSimulator { sim in
            sim.inject(.truncatedBody, path: "/oauth/token", count: 1)
            let reply = try await sim.tokenRequest("grant_type=client_credentials")
            #expect(reply.status == 200)
            #expect(reply.json == nil)
            #expect(reply.text.hasPrefix("{"))
        }
    }

    @Test func test_htmlPage_is200TextHTML_likeAProxy() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            sim.inject(.htmlPage, path: "/api/v2/*", count: 1)
            let reply = try await sim.get(Self.org, token: token)
            #expect(reply.status == 200)
            #expect(reply.header("Content-Type")?.hasPrefix("text/html") == true)
            #expect(reply.text.hasPrefix("<!DOCTYPE html>"))
            #expect(reply.json == nil)
            #expect(sim.counters().apiRequests(path: Self.org, status: 200) == 1)
        }
    }

    @Test func test_oversizedBody_isTheNormalJSONPaddedToTheSize_andStillValid() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            sim.inject(.oversizedBody(bytes: 100_000), path: Self.org, count: 1)
            let reply = try await sim.get(Self.org, token: token)
            #expect(reply.status == 200)
            #expect(reply.body.count == 100_000)
            #expect(reply.json?["id"] as? String == sim.configuration.orgID, "only the size is wrong")
        }
    }

    @Test func test_drip_sendsTheWholeBodyInChunksOverTime_withoutHoldingUpOthers() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            let whole = try await sim.get(Self.org, token: token).body
            let chunk = 64, interval = Duration.milliseconds(40)
            let chunks = (whole.count + chunk - 1) / chunk
            sim.inject(.drip(chunkBytes: chunk, every: interval), path: Self.org, count: 1)
            let start = ContinuousClock.now
            async let dripped = sim.get(Self.org, token: token)
            let other = try await sim.get("/api/v2/tokens/me", token: token)
            #expect(other.status == 200)
            let reply = try await dripped
            #expect(reply.status == 200)
            #expect(reply.body.count == whole.count)
            #expect(reply.json?["id"] as? String == sim.configuration.orgID)
            #expect(ContinuousClock.now - start >= interval * (chunks - 1), "one chunk per interval")
        }
    }

    @Test func test_drip_stopsWhenTheClientHangsUp_andTheSimulatorKeepsServing() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            // The head comes at once; the first body byte only after 500 ms, longer than the client waits.
            sim.inject(.drip(chunkBytes: 1, every: .milliseconds(500)), path: Self.org, count: 1)
            await #expect(throws: RawHTTPError.timeout) {
                try await sim.get(Self.org, token: token, timeout: .milliseconds(300))
            }
            #expect(try await sim.get(Self.org, token: token).status == 200)
        }
    }
}
