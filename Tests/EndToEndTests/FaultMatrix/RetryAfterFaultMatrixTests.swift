import Foundation
import GenesysSimulator
import GenesysTestSupport
import Testing

/// API 429s with `Retry-After` in both RFC 9110 forms and in forms no server should send. Each row answers one
/// 429 on every collector's endpoint at once (each collector keeps its own schedule). Gaps are measured on the
/// simulator's side (its request log), so a loaded machine can only make them longer, never shorter.
@Suite("Fault matrix: Retry-After on API 429s", .timeLimit(.minutes(2)))
struct RetryAfterFaultMatrixTests {
    static func is429(_ fault: SimulatorFault) -> Bool {
        switch fault {
        case .status(429, _), .statusWithRawRetryAfter(429, _): true
        default: false
        }
    }

    /// Answers one 429 carrying `fault` on each collector's endpoint; expects each counted as `rate_limited`,
    /// hands `check` the 429 and the next request to the same endpoint, and waits for each collector's recovery.
    static func exercise429(
        _ fault: SimulatorFault,
        check: (FaultTarget, _ limited: SimulatorRequestRecord, _ next: SimulatorRequestRecord) -> Void = { _, _, _ in }
    ) async throws {
        try await withFaultRowExporter { sim, exporter in
            for target in FaultTarget.all { try await exporter.awaitUp(target.collector) }
            let baseline = try await exporter.scrape()
            for target in FaultTarget.all { sim.inject(fault, path: target.path, count: 1) }
            for target in FaultTarget.all {
                try await exporter.awaitFailure(on: target, reason: "rate_limited", since: baseline, lasting: false)
                try await awaitCondition("a request to \(target.path) after its 429", timeout: FaultMatrix.deadline) {
                    sim.faultedRequestAndNext(on: target.path, where: is429)?.next != nil
                }
                let pair = try #require(sim.faultedRequestAndNext(on: target.path, where: is429))
                let next = try #require(pair.next)
                check(target, pair.faulted, next)
                try await exporter.awaitSuccess(of: [target.collector], after: pair.faulted.receivedAtDate)
            }
        }
    }

    @Test func test_429WithDeltaSecondsRetryAfter_isCountedRateLimited_honouredByEachCollector_andRecovers()
        async throws
    {
        try await Self.exercise429(.status(429, retryAfter: 2)) { target, limited, next in
            #expect(next.receivedAt - limited.receivedAt >= .seconds(2), "\(target.collector): Retry-After: 2 honoured")
        }
    }

    @Test func test_429WithHTTPDateRetryAfter_isCountedRateLimited_honouredUntilThatDate_andRecovers() async throws {
        let until = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 1.5).rounded(.up))
        try await Self.exercise429(.statusWithRawRetryAfter(429, retryAfter: IMFFixdate.string(from: until))) {
            target, limited, next in
            let ahead = until.timeIntervalSince(limited.receivedAtDate)
            #expect(
                next.receivedAtDate.timeIntervalSince1970 >= until.timeIntervalSince1970 - 0.05,
                "\(target.collector): no request before the Retry-After date (the 429 came \(ahead) s before it)")
        }
    }

    /// Values no server should send: negative, not an integer, not a number, too long for any integer type.
    /// None may crash or stall the exporter: the request is still counted as rate limited, and the collector
    /// polls again after its own backoff or the clamped value (at most the backoff cap), so it recovers.
    @Test(arguments: ["-1", "1e300", "soon, maybe", "99999999999999999999"])
    func test_429WithAbsurdRetryAfter_neitherCrashesNorStalls_isCountedRateLimited_andRecovers(
        _ retryAfter: String
    ) async throws {
        try await Self.exercise429(.statusWithRawRetryAfter(429, retryAfter: retryAfter))
    }

    /// `Retry-After: 9223372036854775807` (Int64.max seconds) is valid delta-seconds: honoured, but clamped to
    /// the backoff cap, so each collector waits the cap (3 s here) and then recovers.
    @Test func test_429WithInt64MaxRetryAfter_isClampedToTheBackoffCap_andRecovers() async throws {
        try await Self.exercise429(.statusWithRawRetryAfter(429, retryAfter: "9223372036854775807")) {
            target, limited, next in
            #expect(
                next.receivedAt - limited.receivedAt >= FaultMatrix.backoffCap,
                "\(target.collector): honoured up to the cap, not ignored")
        }
    }
}
