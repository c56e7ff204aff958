import Foundation
import GenesysAuth
import GenesysAuthTestSupport
import GenesysBaseTestSupport
import GenesysCollectors
import GenesysExporter
import GenesysSimulator
import GenesysTestSupport
import Testing

// The fault matrix (issue 8): each row drives one of the simulator's fault switches against an in-process
// exporter (real libcurl over loopback) and asserts what a user would see: no crash, no hang (every wait has a
// deadline), the failure counted under the right reason, and recovery once the fault clears.

/// A collector and the endpoint its rows inject faults on.
struct FaultTarget: Sendable, CustomTestStringConvertible {
    let collector: String
    let path: String
    /// The permission the endpoint needs, if any.
    let permission: String?

    static let identity = FaultTarget(collector: "identity", path: APIPath.organizationsMe, permission: nil)
    static let queues = FaultTarget(collector: "queues", path: APIPath.routingQueues, permission: "routing:queue:view")
    static let observations = FaultTarget(
        collector: "observations", path: APIPath.queueObservations,
        permission: "analytics:queueObservation:view")
    static let queuePerformance = FaultTarget(
        collector: "queue_performance", path: APIPath.conversationAggregates,
        permission: "analytics:conversationAggregate:view")
    static let all = [identity, queues, observations, queuePerformance]

    var others: [String] { defaultCollectors.filter { $0 != collector } }
    var testDescription: String { collector }
}

enum FaultMatrix {
    /// A small org: dozens of rows run at once on two cores, so each simulator and exporter must be cheap.
    static let queueCount = 5
    static let simulator = SimulatorConfiguration(queueCount: queueCount)
    /// Largest response the matrix's exporters accept (the real default, 64 MiB, is too much to send in a test).
    static let responseCap = 256 << 10
    /// Longest backoff of a failing collector or token request, so a clamped Retry-After is over in seconds.
    /// Longer than the Retry-After the honouring rows send (2 s, or an HTTP-date at most 2.5 s ahead).
    static let backoffCap = Duration.seconds(3)
    /// Request timeout for rows that hang or drip: short, but with room for the other collectors on a loaded machine.
    static let shortRequestTimeout = Duration.seconds(2)
    /// How long any one awaited condition may take before the row fails (a hang becomes a failure, not a stall).
    static let deadline = Duration.seconds(30)
    static let grant = OAuthGrant.clientCredentials.rawValue

    /// Settings for a matrix row: 200 ms polls, the short caps above, and the given request timeout.
    static func settings(
        _ sim: GenesysSimulator, requestTimeout: Duration = .seconds(5),
        collectors: Set<String> = CollectorRegistry.enabledByDefault
    ) throws -> OrgSettings {
        var token = try sim.tokenConfiguration()
        token.backoffCap = backoffCap
        var settings = try sim.orgSettings(collectors: collectors, token: token, requestTimeout: requestTimeout)
        settings.maxResponseBytes = responseCap
        settings.failureBackoffCap = backoffCap
        return settings
    }
}

/// Lets a bounded number of matrix rows run at once, whatever the test runner's parallelism: each row is a
/// simulator and an exporter polling every 200 ms, and the rest of the suite shares the same two cores.
actor FaultRowGate {
    static let shared = FaultRowGate(slots: 8)

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(slots: Int) { free = slots }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}

/// `withExporter` for a matrix row: the small simulated org, and a slot from `FaultRowGate` for the row's duration.
func withFaultRowExporter<T>(
    _ simulator: SimulatorConfiguration = FaultMatrix.simulator,
    settings: @escaping (GenesysSimulator) throws -> OrgSettings = { try FaultMatrix.settings($0) },
    _ body: (GenesysSimulator, RunningExporter) async throws -> T
) async throws -> T {
    await FaultRowGate.shared.acquire()
    do {
        let result = try await withExporter(simulator, settings: settings, body)
        await FaultRowGate.shared.release()
        return result
    } catch {
        await FaultRowGate.shared.release()
        throw error
    }
}

extension Exposition {
    /// `genesys_api_failures_total` for an endpoint, for one reason or summed over all.
    func apiFailures(_ path: String, _ reason: String? = nil) -> Double {
        var labels = ["endpoint": path]
        if let reason { labels["reason"] = reason }
        return sum("genesys_api_failures_total", labels)
    }

    /// `genesys_token_refresh_failures_total` for the client-credentials grant, for one reason or summed over all.
    func tokenFailures(_ reason: String? = nil) -> Double {
        var labels = ["grant_type": FaultMatrix.grant]
        if let reason { labels["reason"] = reason }
        return sum("genesys_token_refresh_failures_total", labels)
    }

    /// Tokens obtained, summed over reasons.
    var tokensObtained: Double { sum("genesys_token_refreshes_total", ["grant_type": FaultMatrix.grant]) }

    func allCollectorsUp(_ collectors: [String] = defaultCollectors) -> Bool {
        collectors.allSatisfy { collectorUp($0) == 1 }
    }

    /// The non-zero token failure counters, for failure messages.
    var tokenFailureSummary: String {
        samples("genesys_token_refresh_failures_total").filter { $0.value > 0 }
            .map { "\($0.labels["reason"] ?? "")=\(Int($0.value))" }.sorted().joined(separator: ", ")
    }
}

extension RunningExporter {
    /// Scrapes until `condition` holds; on timeout the error shows the last scrape's collector and failure state.
    func awaitScrape(
        _ what: String, timeout: Duration = FaultMatrix.deadline, _ condition: (Exposition) -> Bool
    ) async throws -> Exposition {
        let deadline = ContinuousClock.now + timeout
        while true {
            let exposition = try await scrape()
            if condition(exposition) { return exposition }
            guard ContinuousClock.now < deadline else {
                let up = defaultCollectors.map {
                    "\($0)=\(exposition.collectorUp($0).map { String(Int($0)) } ?? "-")"
                }
                throw ConditionTimedOut(
                    description: "no scrape showed \(what) within \(timeout); "
                        + "last scrape: up \(up.joined(separator: " ")); "
                        + "API failures [\(exposition.failureSummary)]; token failures [\(exposition.tokenFailureSummary)]"
                )
            }
            // Not faster: dozens of rows scrape and parse in parallel on two cores.
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Waits until `collector` is up (its baseline before a fault is injected).
    @discardableResult
    func awaitUp(_ collector: String) async throws -> Exposition {
        try await awaitScrape("\(collector) up") { $0.collectorUp(collector) == 1 }
    }

    /// Waits until `target`'s endpoint has a failure counted under `reason` since `baseline`, then (for a fault
    /// that lasts until cleared) until its collector shows down; a one-shot fault's collector may be up again
    /// before a scrape sees it down. A row whose exporter fix is pending passes a shorter `patience`.
    @discardableResult
    func awaitFailure(
        on target: FaultTarget, reason: String, since baseline: Exposition, lasting: Bool = true,
        patience: Duration = FaultMatrix.deadline
    ) async throws -> Exposition {
        let before = baseline.apiFailures(target.path, reason)
        guard
            let counted = try? await awaitScrape(
                "a \(reason) failure on \(target.path)", timeout: patience,
                {
                    $0.apiFailures(target.path, reason) > before
                })
        else {
            let last = try await scrape()
            Issue.record(
                "no \(reason) failure on \(target.path) within \(patience); counted instead: [\(last.failureSummary)]")
            return last
        }
        if lasting {
            _ = try await awaitScrape("\(target.collector) down") { $0.collectorUp(target.collector) == 0 }
        }
        return counted
    }

    /// Waits until each of `collectors` has succeeded after `moment` (its last-success timestamp is later):
    /// the others kept polling through a fault, or the faulty one recovered after it cleared. Robust to a
    /// spurious failure on a loaded machine, unlike sampling `genesys_collector_up` once.
    @discardableResult
    func awaitSuccess(of collectors: [String] = defaultCollectors, after moment: Date) async throws -> Exposition {
        let since = moment.timeIntervalSince1970
        return try await awaitScrape("a success of \(collectors.joined(separator: ", ")) after the fault changed") {
            scrape in
            collectors.allSatisfy {
                (scrape.value("genesys_collector_last_success_timestamp_seconds", ["collector": $0]) ?? 0) > since
            }
        }
    }
}

extension GenesysSimulator {
    /// The first request on `path` that met a fault matching `isFault`, and the next request on `path` after it.
    func faultedRequestAndNext(
        on path: String, where isFault: (SimulatorFault) -> Bool
    ) -> (faulted: SimulatorRequestRecord, next: SimulatorRequestRecord?)? {
        let onPath = requestLog().filter { $0.path == path }
        guard let index = onPath.firstIndex(where: { $0.fault.map(isFault) ?? false }) else { return nil }
        return (onPath[index], onPath.dropFirst(index + 1).first)
    }

    /// Client-credentials token requests received so far.
    var tokenRequestCount: Int { counters().tokenRequests["client_credentials", default: 0] }
}

/// The collectors on by default, in polling order (estimated_wait, off by default, polls every 2 minutes).
let defaultCollectors = CollectorRegistry.names.filter { CollectorRegistry.enabledByDefault.contains($0) }
