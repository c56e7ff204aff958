import Foundation
import GenesysExporter
import GenesysSimulator
import GenesysTestSupport
import Testing

/// API 429s with `Retry-After` in both RFC 9110 forms and in forms no server should send. Gaps are measured
/// on the simulator's side (its request log), so a loaded machine can only make them longer, never shorter.
@Suite("Fault matrix: Retry-After on API 429s", .timeLimit(.minutes(1)))
struct RetryAfterFaultMatrixTests {
    static func is429(_ fault: SimulatorFault) -> Bool {
        switch fault {
        case .status(429, _), .statusWithRawRetryAfter(429, _): true
        default: false
        }
    }

    /// The 429's request and the next request to the same endpoint, once the collector has polled again.
    static func gapAfter429(_ sim: GenesysSimulator, on path: String) async throws -> (limited: SimulatorRequestRecord, next: SimulatorRequestRecord) {
        try await awaitCondition("a request to \(path) after the 429", timeout: FaultMatrix.deadline) {
            sim.faultedRequestAndNext(on: path, where: is429)?.next != nil
        }
        let pair = try #require(sim.faultedRequestAndNext(on: path, where: is429))
        return (pair.faulted, try #require(pair.next))
    }

    @Test(arguments: FaultTarget.all)
    func test_429WithDeltaSecondsRetryAfter_isCountedRateLimited_honoured_andRecovers(_ target: FaultTarget) async throws {
        try await withExporter(FaultMatrix.simulator, settings: { try FaultMatrix.settings($0) }) { sim, exporter in
            let baseline = try await exporter.awaitUp(target.collector)
            sim.inject(.status(429, retryAfter: 2), path: target.path, count: 1)
            try await exporter.awaitFailure(on: target, reason: "rate_limited", since: baseline, lasting: false)
            let (limited, next) = try await Self.gapAfter429(sim, on: target.path)
            #expect(next.receivedAt - limited.receivedAt >= .seconds(2), "Retry-After: 2 honoured")
            try await exporter.awaitSuccess(of: [target.collector], after: limited.receivedAtDate)
        }
    }

    @Test(arguments: FaultTarget.all)
    func test_429WithHTTPDateRetryAfter_isCountedRateLimited_honouredUntilThatDate_andRecovers(_ target: FaultTarget) async throws {
        try await withExporter(FaultMatrix.simulator, settings: { try FaultMatrix.settings($0) }) { sim, exporter in
            let baseline = try await exporter.awaitUp(target.collector)
            let until = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 1.5).rounded(.up))
            sim.inject(.statusWithRawRetryAfter(429, retryAfter: IMFFixdate.string(from: until)), path: target.path, count: 1)
            try await exporter.awaitFailure(on: target, reason: "rate_limited", since: baseline, lasting: false)
            let (limited, next) = try await Self.gapAfter429(sim, on: target.path)
            #expect(next.receivedAtDate.timeIntervalSince1970 >= until.timeIntervalSince1970 - 0.05,
                    "no request before the Retry-After date (the 429 came \(until.timeIntervalSince(limited.receivedAtDate)) s before it)")
            try await exporter.awaitSuccess(of: [target.collector], after: limited.receivedAtDate)
        }
    }

    /// Values no server should send: negative, not an integer, not a number, too long for any integer type.
    /// None may crash or stall the exporter: the request is still counted as rate limited, and the collector
    /// polls again on its own backoff (at most the backoff cap), so it recovers.
    @Test(arguments: ["-1", "1e300", "soon, maybe", "99999999999999999999"], FaultTarget.all)
    func test_429WithAbsurdRetryAfter_neitherCrashesNorStalls_isCountedRateLimited_andRecovers(
        _ retryAfter: String, _ target: FaultTarget
    ) async throws {
        try await withExporter(FaultMatrix.simulator, settings: { try FaultMatrix.settings($0) }) { sim, exporter in
            let baseline = try await exporter.awaitUp(target.collector)
            sim.inject(.statusWithRawRetryAfter(429, retryAfter: retryAfter), path: target.path, count: 1)
            try await exporter.awaitFailure(on: target, reason: "rate_limited", since: baseline, lasting: false)
            let (limited, _) = try await Self.gapAfter429(sim, on: target.path)
            try await exporter.awaitSuccess(of: [target.collector], after: limited.receivedAtDate)
        }
    }

    /// `Retry-After: 9223372036854775807` (Int64.max seconds) is valid delta-seconds: honoured, but clamped to
    /// the backoff cap, so the collector waits the cap (3 s here) and then recovers.
    @Test(arguments: FaultTarget.all)
    func test_429WithInt64MaxRetryAfter_isClampedToTheBackoffCap_andRecovers(_ target: FaultTarget) async throws {
        try await withExporter(FaultMatrix.simulator, settings: { try FaultMatrix.settings($0) }) { sim, exporter in
            let baseline = try await exporter.awaitUp(target.collector)
            sim.inject(.statusWithRawRetryAfter(429, retryAfter: "9223372036854775807"), path: target.path, count: 1)
            try await exporter.awaitFailure(on: target, reason: "rate_limited", since: baseline, lasting: false)
            let (limited, next) = try await Self.gapAfter429(sim, on: target.path)
            #expect(next.receivedAt - limited.receivedAt >= FaultMatrix.backoffCap, "honoured up to the cap, not ignored")
            try await exporter.awaitSuccess(of: [target.collector], after: limited.receivedAtDate)
        }
    }
}
