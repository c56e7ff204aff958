import Prometheus

/// Shorthands over swift-prometheus' descriptor-based factories: full metric names, help text always set.
extension PrometheusCollectorRegistry {
    package func gauge(_ name: String, _ help: String, labels: [(String, String)] = []) -> Gauge {
        makeGauge(descriptor: Self.descriptor(name, help), labels: labels)
    }

    package func counter(_ name: String, _ help: String, labels: [(String, String)] = []) -> Counter {
        makeCounter(descriptor: Self.descriptor(name, help), labels: labels)
    }

    package func histogram(
        _ name: String, _ help: String, buckets: [Double], labels: [(String, String)] = []
    ) -> ValueHistogram {
        makeValueHistogram(descriptor: Self.descriptor(name, help), labels: labels, buckets: buckets)
    }

    /// `genesys_exporter_build_info`, always 1, with the version facts as labels.
    package func registerBuildInfo(version: String, revision: String, swiftVersion: String) {
        gauge(
            "genesys_exporter_build_info", "Version facts of the running exporter; always 1.",
            labels: [("version", version), ("revision", revision), ("swift_version", swiftVersion)]
        ).set(1.0)
    }

    private static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}

/// Latency buckets in seconds for Genesys Cloud calls (tens of milliseconds to tens of seconds).
package let latencyBuckets: [Double] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

/// Buckets in seconds for the libcurl phases: a millisecond (a connect on a near network) to ten seconds.
package let phaseBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10]
