import Foundation
import GenesysBaseTestSupport
import GenesysJSON
import GenesysSimulator
import GenesysTestSupport
import Testing

/// Faults of the login service (`POST /oauth/token`), from the exporter's first token request on. They are
/// counted in `genesys_token_refresh_failures_total`; every collector recovers once a token is obtained.
@Suite("Fault matrix: login service", .timeLimit(.minutes(2)))
struct LoginFaultMatrixTests {
    static let tokenPath = "/oauth/token"

    /// Starts an exporter whose token requests meet the fault `inject` sets up; expects a token failure counted
    /// under `reason`, clears the fault, and waits for every collector's success. Returns the last scrape.
    @discardableResult
    static func exerciseLoginFault(
        reason: String, patience: Duration = FaultMatrix.deadline, _ inject: @escaping (GenesysSimulator) -> Void,
        whileFailing: (GenesysSimulator) async throws -> Void = { _ in }
    ) async throws -> Exposition {
        try await withFaultRowExporter(settings: { sim in
            inject(sim)
            return try FaultMatrix.settings(sim)
        }) { sim, exporter in
            let counted = try? await exporter.awaitScrape("a \(reason) token failure", timeout: patience) {
                $0.tokenFailures(reason) >= 1
            }
            if counted == nil {
                let counted = try await exporter.scrape().tokenFailureSummary
                Issue.record("no \(reason) token failure within \(patience); counted instead: [\(counted)]")
            }
            try await whileFailing(sim)
            let cleared = Date()
            sim.clearFaults()
            let recovered = try await exporter.awaitSuccess(after: cleared)
            #expect(recovered.tokensObtained >= 1)
            #expect(sim.tokenRequestCount <= 8, "backed off, no hot loop: \(sim.tokenRequestCount) token requests")
            return recovered
        }
    }

    /// The gap between the first faulted token request and the next token request, once there is one.
    static func gapAfterFirstFault(
        _ sim: GenesysSimulator
    ) async throws -> (faulted: SimulatorRequestRecord, next: SimulatorRequestRecord) {
        try await awaitCondition("a token request after the faulted one", timeout: FaultMatrix.deadline) {
            sim.faultedRequestAndNext(on: tokenPath, where: { _ in true })?.next != nil
        }
        let pair = try #require(sim.faultedRequestAndNext(on: tokenPath, where: { _ in true }))
        return (pair.faulted, try #require(pair.next))
    }

    /// Genesys' login service answers a client asking too often with 400 invalid_request "rate limit exceeded":
    /// that is rate limiting (so the alert fires), and it is backed off from.
    @Test func test_loginRateLimit400_isCountedRateLimited_backedOff_andRecovers() async throws {
        try await Self.exerciseLoginFault(
            reason: "rate_limited", patience: .seconds(5),
            { sim in
                sim.inject(.loginRateLimited, path: Self.tokenPath)
            },
            whileFailing: { sim in
                let (faulted, next) = try await Self.gapAfterFirstFault(sim)
                #expect(
                    next.receivedAt - faulted.receivedAt >= .milliseconds(500),
                    "backed off (at least half the 1 s initial backoff)")
            })
    }

    @Test func test_login429WithDeltaSecondsRetryAfter_isCountedRateLimited_honoured_andRecovers() async throws {
        try await Self.exerciseLoginFault(
            reason: "rate_limited",
            { sim in
                sim.inject(.status(429, retryAfter: 2), path: Self.tokenPath, count: 1)
            },
            whileFailing: { sim in
                let (faulted, next) = try await Self.gapAfterFirstFault(sim)
                #expect(next.receivedAt - faulted.receivedAt >= .seconds(2), "Retry-After: 2 honoured")
            })
    }

    @Test func test_login429WithHTTPDateRetryAfter_isCountedRateLimited_honouredUntilThatDate_andRecovers() async throws
    {
        let until = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 1.5).rounded(.up))
        try await Self.exerciseLoginFault(
            reason: "rate_limited",
            { sim in
                sim.inject(
                    .statusWithRawRetryAfter(429, retryAfter: IMFFixdate.string(from: until)), path: Self.tokenPath,
                    count: 1)
            },
            whileFailing: { sim in
                let (_, next) = try await Self.gapAfterFirstFault(sim)
                #expect(
                    next.receivedAtDate.timeIntervalSince1970 >= until.timeIntervalSince1970 - 0.05,
                    "no token request before the date")
            })
    }

    @Test(arguments: ["-1", "1e300", "soon, maybe", "99999999999999999999"])
    func test_login429WithAbsurdRetryAfter_neitherCrashesNorStalls_andRecovers(_ retryAfter: String) async throws {
        try await Self.exerciseLoginFault(reason: "rate_limited") { sim in
            sim.inject(.statusWithRawRetryAfter(429, retryAfter: retryAfter), path: Self.tokenPath, count: 1)
        }
    }

    /// Valid delta-seconds, absurdly long: honoured only up to the token backoff cap (3 s here), then a token.
    @Test
    func test_login429WithInt64MaxRetryAfter_isClampedToTheBackoffCap_andRecovers() async throws {
        try await Self.exerciseLoginFault(
            reason: "rate_limited",
            { sim in
                sim.inject(
                    .statusWithRawRetryAfter(429, retryAfter: "9223372036854775807"), path: Self.tokenPath, count: 1)
            },
            whileFailing: { sim in
                let (faulted, next) = try await Self.gapAfterFirstFault(sim)
                #expect(
                    next.receivedAt - faulted.receivedAt >= FaultMatrix.backoffCap,
                    "honoured up to the cap, not ignored")
            })
    }

    @Test func test_login5xxBurst_isCountedServerError_andRecoversOnItsOwn() async throws {
        let recovered = try await Self.exerciseLoginFault(
            reason: "server_error",
            { sim in
                sim.inject(.status(500), path: Self.tokenPath, count: 1)
                sim.inject(.status(503), path: Self.tokenPath, count: 1)
            },
            whileFailing: { sim in
                try await awaitCondition("the whole burst answered", timeout: FaultMatrix.deadline) {
                    sim.requestLog().filter { $0.path == Self.tokenPath && $0.fault != nil }.count == 2
                }
            })
        #expect(recovered.tokenFailures("server_error") == 2)
    }

    struct BodyRow: Sendable, CustomTestStringConvertible {
        let name: String
        let fault: SimulatorFault
        let reason: String
        var testDescription: String { "\(name) → \(reason)" }
    }

    @Test(arguments: [
        BodyRow(name: "malformed JSON", fault: .malformedBody, reason: "malformed_response"),
        BodyRow(name: "truncated JSON", fault: .truncatedBody, reason: "malformed_response"),
        BodyRow(name: "HTML proxy page with 200", fault: .htmlPage, reason: "malformed_response"),
        BodyRow(
            name: "body over the response size cap", fault: .oversizedBody(bytes: 2 * FaultMatrix.responseCap),
            reason: "malformed_response"),
    ])
    func test_unusableTokenResponse_isCountedByReason_andRecovers(_ row: BodyRow) async throws {
        try await Self.exerciseLoginFault(reason: row.reason) { sim in
            sim.inject(row.fault, path: Self.tokenPath)
        }
    }
}
