import GenesysAuth
import GenesysBase
import GenesysHTTP
import GenesysTelemetry
import Prometheus

/// The `genesys_api_*` families, labelled by endpoint template only (never a raw URL or id).
package final class APIMetrics: Sendable {
    private let store: MetricStore
    private var registry: PrometheusCollectorRegistry { store.registry }
    /// Pre-created at 0 for every endpoint and reason: compact series, since a fleet has hundreds of orgs.
    private let failures: CounterSeriesSet
    private let retries: CounterSeriesSet
    /// Per endpoint (and code, and phase): compact series too, about 30 bytes each where a registry metric is about a
    /// kilobyte, which a 200-org fleet with twenty endpoints each notices.
    private let requests: CounterSeriesSet
    private let phaseGauges: GaugeSeriesSet
    /// The latency histogram of each declared endpoint and the phase histograms in `phaseNames` order, looked up
    /// once: the registry's lookup on every response (name checks, label matching under its lock) was a fifth of
    /// recording a response.
    private let durations: [String: ValueHistogram]
    private let phaseHistograms: [ValueHistogram]

    package init(store: MetricStore, endpoints: [Endpoint]) {
        self.store = store
        failures = CounterSeriesSet(
            store: store, name: "genesys_api_failures_total",
            help: "Failed Genesys Cloud API calls, by endpoint template and reason.")
        retries = CounterSeriesSet(
            store: store, name: "genesys_api_retries_total",
            help: "API calls retried, by endpoint template and the reason for the retry.")
        requests = CounterSeriesSet(
            store: store, name: "genesys_api_requests_total",
            help: "Genesys Cloud API responses, by endpoint template, method and HTTP status code.")
        phaseGauges = GaugeSeriesSet(
            store: store, name: "genesys_api_request_phase_seconds",
            help: "libcurl phase timings of the last request to each endpoint, from the start of the transfer.")
        store.nativeHistograms.register(Self.durationFamily)
        store.nativeHistograms.register(Self.phaseFamily)
        phaseHistograms = Self.phaseNames.map { Self.phaseDuration($0, in: store.registry) }
        var durations: [String: ValueHistogram] = [:]
        for endpoint in endpoints {
            failures.add(APIFailureReason.allCases.map { (Self.labels(endpoint, $0.rawValue), 0) })
            retries.add([(Self.labels(endpoint, "unauthorized"), 0)])
            durations[endpoint.template] = Self.duration(endpoint, in: store.registry)
        }
        self.durations = durations
    }

    private static func labels(_ endpoint: Endpoint, _ reason: String) -> [(String, String)] {
        [("endpoint", endpoint.template), ("reason", reason)]
    }

    static let durationFamily = "genesys_api_request_duration_seconds"

    private static func duration(_ endpoint: Endpoint, in registry: PrometheusCollectorRegistry) -> ValueHistogram {
        registry.histogram(
            Self.durationFamily, "Latency of Genesys Cloud API calls, by endpoint template.",
            buckets: latencyBuckets, labels: [("endpoint", endpoint.template)])
    }

    /// Where a request's time goes (name lookup, connecting, the TLS handshake, waiting for the first byte), over
    /// every endpoint: one series per phase keeps it cheap for a fleet, and the native histogram beside the
    /// classic buckets gives quantiles of sub-millisecond connects and multi-second waits alike.
    static let phaseFamily = "genesys_api_request_phase_duration_seconds"
    static let phaseNames = ["dns", "connect", "tls", "first_byte"]

    private static func phaseDuration(_ phase: String, in registry: PrometheusCollectorRegistry) -> ValueHistogram {
        registry.histogram(
            Self.phaseFamily,
            "libcurl phase times of Genesys Cloud API calls, from the start of the transfer to the end of the phase "
                + "(0 for a phase a reused connection skipped).",
            buckets: phaseBuckets, labels: [("phase", phase)])
    }

    /// `rateLimit`: what `rateLimit(response.headers)` read, read once by the caller.
    func recordResponse(
        _ endpoint: Endpoint, _ response: HTTPResponse, rateLimit remaining: (count: Double, allowed: Double)?
    ) {
        defer { store.changed() }
        requests.add([
            ([("endpoint", endpoint.template), ("method", endpoint.method), ("code", String(response.status))], 1)
        ])
        (durations[endpoint.template] ?? Self.duration(endpoint, in: registry)).record(response.timing.total.seconds)
        store.nativeHistograms.observe(
            Self.durationFamily, labels: [("endpoint", endpoint.template)], response.timing.total.seconds)
        let phases: [(String, Duration)] = [
            ("dns", response.timing.dns), ("connect", response.timing.connect), ("tls", response.timing.tls),
            ("first_byte", response.timing.firstByte), ("total", response.timing.total),
        ]
        for (index, (phase, value)) in phases.enumerated() where phase != "total" {
            phaseHistograms[index].record(value.seconds)
            store.nativeHistograms.observe(Self.phaseFamily, labels: [("phase", phase)], value.seconds)
        }
        phaseGauges.set(
            phases.map { phase, value in ([("endpoint", endpoint.template), ("phase", phase)], value.seconds) })
        if let remaining {
            registry.gauge(
                "genesys_api_rate_limit_remaining",
                "Requests left in the current rate-limit window (inin-ratelimit-allowed minus inin-ratelimit-count)."
            )
            .set(remaining.allowed - remaining.count)
            registry.gauge(
                "genesys_api_rate_limit_allowed", "Requests allowed per rate-limit window (inin-ratelimit-allowed)."
            )
            .set(remaining.allowed)
        }
    }

    func recordFailure(_ endpoint: Endpoint, _ reason: APIFailureReason) {
        failures.add([(Self.labels(endpoint, reason.rawValue), 1)])
        store.changed()
    }

    func recordRetry(_ endpoint: Endpoint, reason: String) {
        retries.add([(Self.labels(endpoint, reason), 1)])
        store.changed()
    }

    /// `inin-ratelimit-count` and `inin-ratelimit-allowed`, when both are plausible numbers.
    package static func rateLimit(_ headers: ResponseHeaders) -> (count: Double, allowed: Double)? {
        // Upstream headers: only finite, non-negative, plausible values become gauge arithmetic.
        func value(_ header: String) -> Double? {
            headers[header].flatMap { Double($0.trimming(" \t")) }.flatMap { UntrustedNumber.finite($0, in: 0...1e9) }
        }
        guard let count = value("inin-ratelimit-count"), let allowed = value("inin-ratelimit-allowed") else {
            return nil
        }
        return (count, allowed)
    }
}
