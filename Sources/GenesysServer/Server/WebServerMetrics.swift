import GenesysTelemetry
import Prometheus

/// What the HTTP server turned away and how its web config reloads went. Lives in the store's live registry:
/// these change on requests, not on polls, and must not invalidate the cached rendering of poll results.
package struct WebServerMetrics: Sendable {
    package enum Rejection: String, Sendable, CaseIterable {
        case maxConnections = "max_connections"
        case maxRequests = "max_requests"
        case unauthorized
        case requestTimeout = "request_timeout"
        /// The web config's `rate_limit` had no token left.
        case rateLimit = "rate_limit"
    }

    private let rejections: [Rejection: Counter]
    private let reloads: (success: Counter, failure: Counter)
    private let lastReloadSuccessful: Gauge

    package init(registry: PrometheusCollectorRegistry) {
        var rejections: [Rejection: Counter] = [:]
        for reason in Rejection.allCases {
            rejections[reason] = registry.counter(
                "genesys_exporter_http_rejected_total",
                "Requests or connections the HTTP server turned away, by reason.",
                labels: [("reason", reason.rawValue)])
        }
        self.rejections = rejections
        let help = "Re-reads of --web.config.file after a change, by result."
        reloads = (
            registry.counter("genesys_exporter_web_config_reloads_total", help, labels: [("result", "success")]),
            registry.counter("genesys_exporter_web_config_reloads_total", help, labels: [("result", "failure")])
        )
        lastReloadSuccessful = registry.gauge(
            "genesys_exporter_web_config_last_reload_successful",
            "1 when the web config in force is the file's current content; 0 after a rejected change.")
        lastReloadSuccessful.set(1.0)
    }

    /// Counting into a registry nobody renders (servers built without an exporter, as in tests).
    package static func unregistered() -> WebServerMetrics { WebServerMetrics(registry: PrometheusCollectorRegistry()) }

    func rejected(_ reason: Rejection) { rejections[reason]?.increment() }

    func reloaded(successfully: Bool) {
        (successfully ? reloads.success : reloads.failure).increment()
        lastReloadSuccessful.set(successfully ? 1.0 : 0.0)
    }
}
