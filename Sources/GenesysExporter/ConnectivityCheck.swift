import GenesysAPI
import GenesysAuth
import GenesysCollectors
/// `genesys-exporter check`: logs in once, calls each enabled collector's endpoints once and
/// reports per endpoint whether it works, and if not, what to do.
import GenesysTelemetry

package struct ConnectivityCheck: Sendable {
    package struct Row: Sendable {
        package let endpoint: String
        package let status: String
        package let latency: Duration
        package let verdict: String
        package let ok: Bool

        /// The verdict can quote upstream text: stripped like every response excerpt, so the table stays one line per row.
        package init(endpoint: String, status: String, latency: Duration, verdict: String, ok: Bool) {
            self.endpoint = endpoint
            self.status = status
            self.latency = latency
            self.verdict = SafeExcerpt.of(verdict, limit: 1000)
            self.ok = ok
        }
    }

    package let monitor: OrgMonitor

    package init(monitor: OrgMonitor) { self.monitor = monitor }

    package func run() async -> [Row] {
        var rows: [Row] = []
        let started = ContinuousClock.now
        let grant = monitor.settings.token.grant
        let cachedBefore = await monitor.tokens.currentToken
        if grant == .refreshToken, cachedBefore == nil,
            let problem = monitor.settings.token.cacheFile.flatMap({ TokenCache(path: $0).saveProblem() })
        {
            // A refresh token is single use: never redeem one whose successor could not be kept.
            rows.append(
                Row(
                    endpoint: "POST /oauth/token (\(grant.rawValue))", status: "not sent", latency: .zero,
                    verdict: "the refresh token was not redeemed: \(problem), so its rotated successor would be lost",
                    ok: false))
            return rows
        }
        do {
            let token = try await monitor.tokens.validToken()
            var verdict = "ok"
            if grant == .refreshToken {
                verdict =
                    token.value == cachedBefore?.value
                    ? "ok: used the cached access token; the refresh token was not redeemed"
                    : "ok: redeemed the refresh token; the rotated one is saved in \(monitor.settings.token.cacheFile ?? "-")"
            }
            if let problem = monitor.tokens.persistenceProblem {
                rows.append(
                    Row(
                        endpoint: "POST /oauth/token (\(grant.rawValue))", status: "200",
                        latency: ContinuousClock.now - started,
                        verdict: problem, ok: false))
                return rows
            }
            rows.append(
                Row(
                    endpoint: "POST /oauth/token (\(grant.rawValue))",
                    status: token.value == cachedBefore?.value ? "cached" : "200",
                    latency: ContinuousClock.now - started, verdict: verdict, ok: true))
        } catch {
            rows.append(
                Row(
                    endpoint: "POST /oauth/token (\(monitor.settings.token.grant.rawValue))",
                    status: error.reason.rawValue,
                    latency: ContinuousClock.now - started, verdict: error.message, ok: false))
            return rows
        }
        var probe = CheckProbe(
            collectorOptions: monitor.settings.collectorOptions, extraCAFile: monitor.settings.extraCAFile)
        for collector in monitor.collectors {
            let definition = type(of: collector)
            for endpoint in collector.endpoints {
                let callStarted = ContinuousClock.now
                do {
                    guard let result = try await definition.check(endpoint, api: monitor.api, probe: &probe) else {
                        rows.append(
                            Row(
                                endpoint: "\(endpoint.method) \(endpoint.template)", status: "-", latency: .zero,
                                verdict: "skipped: nothing to ask (nothing to observe, or checked above)", ok: true))
                        continue
                    }
                    rows.append(
                        Row(
                            endpoint: "\(endpoint.method) \(endpoint.template)", status: String(result.response.status),
                            latency: ContinuousClock.now - callStarted, verdict: "ok", ok: true))
                } catch {
                    rows.append(
                        Row(
                            endpoint: "\(endpoint.method) \(endpoint.template)",
                            status: error.status.map(String.init) ?? error.reason.rawValue,
                            latency: ContinuousClock.now - callStarted, verdict: Self.verdict(for: error), ok: false))
                }
            }
        }
        return rows
    }

    static func verdict(for error: APIError) -> String {
        if let permission = error.missingPermission {
            return "missing scope \(permission): add it to the OAuth client's role"
        }
        switch error.reason {
        case .forbidden:
            return "forbidden: the OAuth client's role lacks a permission for this endpoint (\(error.message))"
        case .unauthorized:
            return "unauthorized even after a fresh token: \(error.tokenError?.message ?? error.message)"
        case .rateLimited: return "rate limited (HTTP 429); try again later"
        default: return "\(error.reason.rawValue): \(error.message)"
        }
    }

    /// The rows as an aligned text table.
    package static func table(_ rows: [Row]) -> String {
        let header = ["ENDPOINT", "STATUS", "LATENCY", "VERDICT"]
        let cells = rows.map { [$0.endpoint, $0.status, "\($0.latency.wholeMilliseconds) ms", $0.verdict] }
        let widths = (0..<3).map { column in ([header] + cells).map { $0[column].count }.max() ?? 0 }
        func line(_ row: [String]) -> String {
            (0..<3).map { row[$0] + String(repeating: " ", count: widths[$0] - row[$0].count) }.joined(separator: "  ")
                + "  " + row[3]
        }
        return ([line(header)] + cells.map(line)).joined(separator: "\n")
    }
}
