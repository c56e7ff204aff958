import Foundation
import Testing

/// Debian's Prometheus scraping `targets` every second (as job `genesys`) from a scratch directory, optionally with
/// native histograms on and rule files evaluated every second.
final class ScratchPrometheus: Sendable {
    let directory: String
    let port: Int
    private let process: ChildProcess

    init(nativeHistograms: Bool = false, targets: [String], ruleFiles: [String] = []) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("prometheus-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        rule_files: [\(ruleFiles.map { "\"\($0)\"" }.joined(separator: ", "))]
        scrape_configs:
          - job_name: genesys
            static_configs:
              - targets: [\(targets.map { "\"\($0)\"" }.joined(separator: ", "))]
        """.write(toFile: directory + "/prometheus.yml", atomically: true, encoding: .utf8)
        port = try RawHTTP.freePort()
        process = try ChildProcess(
            "/usr/bin/prometheus",
            [
                "--config.file=\(directory)/prometheus.yml", "--storage.tsdb.path=\(directory)/data",
                "--web.listen-address=127.0.0.1:\(port)",
            ] + (nativeHistograms ? ["--enable-feature=native-histograms"] : []))
    }

    func stop() {
        process.terminateAndReap()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The answer's result vector: one (labels, value) per series.
    func vector(_ expression: String) async throws -> [(labels: [String: String], value: String)] {
        let url =
            "http://127.0.0.1:\(port)/api/v1/query?query="
            + (expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        struct Answer: Decodable {
            struct Data: Decodable {
                struct Series: Decodable {
                    let metric: [String: String]
                    let value: [ValueField]?
                }
                let result: [Series]
            }
            let data: Data?
        }
        enum ValueField: Decodable {
            case time(Double)
            case text(String)
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let text = try? container.decode(String.self) {
                    self = .text(text)
                } else {
                    self = .time(try container.decode(Double.self))
                }
            }
        }
        // Nothing to read while Prometheus is still starting: no series yet.
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(try await curl([url]).stdout.utf8))
        else { return [] }
        return (answer.data?.result ?? []).map { series in
            let value = series.value?.compactMap { if case .text(let text) = $0 { text } else { nil } }.first ?? ""
            return (series.metric, value)
        }
    }

    /// The value of a query that yields one series; nil for none.
    func query(_ expression: String) async throws -> Double? {
        try await vector(expression).first.flatMap { Double($0.value) }
    }
}
