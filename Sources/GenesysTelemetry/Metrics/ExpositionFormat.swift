/// The exposition formats a scrape can get (`ExpositionNegotiation` picks one from `Accept`).
package enum ExpositionFormat: Sendable, Hashable, CaseIterable {
    /// `text/plain; version=0.0.4`: the classic text format, and the answer to anything else.
    case text
    /// `application/openmetrics-text; version=1.0.0`.
    case openMetrics1
    /// `application/openmetrics-text; version=0.0.1`: the same body as 1.0.0 (client_golang sends both alike).
    case openMetrics0
    /// `application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited`: the one
    /// format that carries native histograms.
    case protobuf

    /// The `Content-Type` of the answer, as client_golang writes it.
    package var contentType: String {
        switch self {
        case .text: "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics1: "application/openmetrics-text; version=1.0.0; charset=utf-8"
        case .openMetrics0: "application/openmetrics-text; version=0.0.1; charset=utf-8"
        case .protobuf: "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
        }
    }

    /// What the body is written in: the two OpenMetrics versions share one rendering (and one cache).
    package var syntax: ExpositionSyntax {
        switch self {
        case .text: .text
        case .openMetrics1, .openMetrics0: .openMetrics
        case .protobuf: .protobuf
        }
    }
}

/// The body's syntax, which is what a cached page depends on.
package enum ExpositionSyntax: Sendable, Hashable, CaseIterable {
    case text
    case openMetrics
    case protobuf
}
