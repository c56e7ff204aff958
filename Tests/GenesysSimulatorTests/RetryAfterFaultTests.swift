import Foundation
import GenesysSimulator
import SimulatorTestSupport
import Testing

/// `Retry-After` as sent by the simulator: any raw text, and HTTP-dates in IMF-fixdate form.
@Suite("Retry-After faults")
struct RetryAfterFaultTests {
    static let queues = "/api/v2/routing/queues"

    @Test(arguments: ["9223372036854775807", "-1", "1e300", "soon, maybe", "Wed, 21 Oct 2015 07:28:00 GMT"])
    func test_rawRetryAfter_isSentAsIs_withTheGenesysErrorBody(_ value: String) async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            sim.inject(.statusWithRawRetryAfter(429, retryAfter: value), path: Self.queues, count: 1)
            let reply = try await sim.get(Self.queues, token: token)
            #expect(reply.status == 429)
            #expect(reply.header("Retry-After") == value)
            #expect(reply.errorCode == "too.many.requests")
            #expect(sim.counters().apiRequests(path: Self.queues, status: 429) == 1)
        }
    }

    @Test func test_rawRetryAfter_onTheTokenEndpoint_answersTheOAuthErrorBody() async throws {
        try await withSimulator { sim in
            let date = IMFFixdate.after(.seconds(3))
            sim.inject(.statusWithRawRetryAfter(429, retryAfter: date), path: "/oauth/token", count: 1)
            let reply = try await sim.tokenRequest("grant_type=client_credentials")
            #expect(reply.status == 429)
            #expect(reply.header("Retry-After") == date)
            #expect(reply.oauthError == "too_many_requests")
        }
    }

    @Test func test_httpDate_isIMFFixdate() {
        #expect(IMFFixdate.string(from: Date(timeIntervalSince1970: 784_111_777)) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(IMFFixdate.string(from: Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(
            IMFFixdate.after(.milliseconds(1_500), from: Date(timeIntervalSince1970: 784_111_777.2))
                == "Sun, 06 Nov 1994 08:49:39 GMT", "rounded up: never earlier than asked")
    }

    @Test func test_everyReply_carriesADateHeader() async throws {
        try await withSimulator { sim in
            let before = Date().timeIntervalSince1970.rounded(.down)
            let reply = try await sim.tokenRequest("grant_type=client_credentials")
            let date = try #require(reply.header("Date"))
            #expect(date.hasSuffix(" GMT"))
            let after = Date().timeIntervalSince1970.rounded(.up)
            let candidates = stride(from: before, through: after, by: 1).map {
                IMFFixdate.string(from: Date(timeIntervalSince1970: $0))
            }
            #expect(candidates.contains(date))
        }
    }
}
