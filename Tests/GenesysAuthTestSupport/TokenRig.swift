import Foundation
import GenesysAuth
import GenesysBase
import GenesysBaseTestSupport
import GenesysHTTP
import GenesysTelemetry
import Logging
import NIOConcurrencyHelpers
import Prometheus

/// One token provider wired as the exporter wires it (own libcurl client, own registry), for a test.
package struct TokenRig: Sendable {
    package let http: HTTPClient
    package let registry: PrometheusCollectorRegistry
    package let metrics: TokenMetrics
    /// The registry and the compact series tables together (API tests add the API families to it).
    package let store: MetricStore
    package let provider: TokenProvider

    package let clock: any ExporterClock

    package init(
        _ configuration: TokenProviderConfiguration, logger: Logger = quietLogger,
        clock: any ExporterClock = SystemClock()
    ) {
        http = HTTPClient()
        registry = PrometheusCollectorRegistry()
        metrics = TokenMetrics(registry: registry, grant: configuration.grant)
        store = MetricStore(registry: registry)
        provider = TokenProvider(
            configuration: configuration, http: http, metrics: metrics, logger: logger, clock: clock)
        self.clock = clock
    }

    /// The registry as a scrape renders it.
    package func rendered() -> String {
        metrics.refreshScrapeTimeGauges(now: clock.now)
        return String(decoding: store.renderStable(), as: UTF8.self)
    }

    package func scrape() throws -> Exposition { try Exposition.parse(rendered()) }

    /// The sum over every series of a family (e.g. all failure reasons).
    package func metricSum(_ name: String, _ scrape: Exposition) -> Double {
        scrape.samples(name).reduce(0) { $0 + $1.value }
    }

    package func shutdown() { http.shutdown() }

    /// A measured number worth reading in the test log.
    package static func report(_ line: String) { print("[token-tests] \(line)") }
}

/// A fresh temporary directory, removed by the caller.
package func makeTemporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "token-tests-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Every log line a logger wrote, rendered with its metadata, for asserting on what a user would read.
package final class LogCapture: Sendable {
    private let lines = NIOLockedValueBox<[String]>([])

    package init() {}

    package var all: [String] { lines.withLockedValue { $0 } }

    package func logger(label: String = "genesys.token") -> Logger {
        var logger = Logger(label: label) { _ in CapturingLogHandler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    fileprivate func append(_ line: String) { lines.withLockedValue { $0.append(line) } }
}

private struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let fields = merged.keys.sorted().map { "\($0)=\(merged[$0]!)" }.joined(separator: " ")
        capture.append("\(event.level) \(event.message) \(fields)")
    }
}
