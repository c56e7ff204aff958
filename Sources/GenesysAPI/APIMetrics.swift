import GenesysAuth
import GenesysBase
import GenesysHTTP
import GenesysTelemetry
import Prometheus

/// The `genesys_api_*` families, labelled by endpoint template only (never a raw URL or id).
package final class APIMetrics: Sendable {
    private let store: MetricStore
    private var registry: PrometheusCollectorRegistry { store.registry }

    package convenience init(registry: PrometheusCollectorRegistry, endpoints: [Endpoint]) {
        self.init(store: MetricStore(registry: registry), endpoints: endpoints)
    }

    package init(store: MetricStore, endpoints: [Endpoint]) {
        self.store = store
        for endpoint in endpoints {
            for reason in APIFailureReason.allCases { _ = failures(endpoint, reason) }
            _ = retries(endpoint, "unauthorized")
            _ = duration(endpoint)
        }
    }

    private func failures(_ endpoint: Endpoint, _ reason: APIFailureReason) -> Counter {
        registry.counter(
            "genesys_api_failures_total", "Failed Genesys Cloud API calls, by endpoint template and reason.",
            labels: [("endpoint", endpoint.template), ("reason", reason.rawValue)])
    }

    private func retries(_ endpoint: Endpoint, _ reason: String) -> Counter {
        registry.counter(
            "genesys_api_retries_total", "API calls retried, by endpoint template and the reason for the retry.",
            labels: [("endpoint", endpoint.template), ("reason", reason)])
    }

    private func duration(_ endpoint: Endpoint) -> ValueHistogram {
        registry.histogram(
            "genesys_api_request_duration_seconds", "Latency of Genesys Cloud API calls, by endpoint template.",
            buckets: latencyBuckets, labels: [("endpoint", endpoint.template)])
    }

    func recordResponse(_ endpoint: Endpoint, _ response: HTTPResponse) {
        defer { store.changed() }
        registry.counter(
            "genesys_api_requests_total",
            "Genesys Cloud API responses, by endpoint template, method and HTTP status code.",
            labels: [("endpoint", endpoint.template), ("method", endpoint.method), ("code", String(response.status))]
        ).increment()
        duration(endpoint).record(response.timing.total.seconds)
        let phases: [(String, Duration)] = [
            ("dns", response.timing.dns), ("connect", response.timing.connect), ("tls", response.timing.tls),
            ("first_byte", response.timing.firstByte), ("total", response.timing.total),
        ]
        for (phase, value) in phases {
            registry.gauge(
                "genesys_api_request_phase_seconds",
                "libcurl phase timings of the last request to each endpoint, from the start of the transfer.",
                labels: [("endpoint", endpoint.template), ("phase", phase)]
            ).set(value.seconds)
        }
        if let remaining = Self.rateLimit(response.headers) {
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
        failures(endpoint, reason).increment()
        store.changed()
    }

    func recordRetry(_ endpoint: Endpoint, reason: String) {
        retries(endpoint, reason).increment()
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
