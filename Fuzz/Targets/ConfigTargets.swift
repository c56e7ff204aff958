import CCurl
import GenesysAuth
import GenesysBase
import GenesysExporter
import GenesysHTTP
import GenesysServer

/// Settings from files, the environment and flags.
enum ConfigTargets {
    /// As the exporter reads it: `String(contentsOfFile:encoding: .utf8)` refuses invalid UTF-8 before parsing.
    static func envFile(_ data: [UInt8]) {
        guard let text = String(validating: data, as: UTF8.self) else { return }
        let values: [String: String]
        do { values = try EnvFile.parse(text) } catch { _ = error.description; return }
        for key in values.keys {
            let isName = !key.isEmpty && key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
            FuzzTargets.require(isName, "key '\(key)'")
        }
    }

    static func duration(_ data: [UInt8]) {
        guard let parsed = DurationParser.parse(String(decoding: data, as: UTF8.self)) else { return }
        FuzzTargets.require(parsed >= .zero, "negative duration \(parsed)")
        _ = (parsed.seconds, parsed.components)
    }

    /// The API URL, and after a newline the login URL; the first line is also tried as a proxy variable.
    /// An accepted URL must mean to libcurl what the validation decided: http(s) only (proxies: socks5 too),
    /// no userinfo or fragment, plain http only to a loopback host.
    static func url(_ data: [UInt8]) {
        let text = String(decoding: data, as: UTF8.self)
        let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        proxy(String(parts[0]))
        let hosts: GenesysHosts
        do {
            let login = parts.count > 1 ? String(parts[1]) : nil
            hosts = try GenesysHosts(apiBaseURL: String(parts[0]), loginBaseURL: login)
        } catch {
            _ = error.description
            return
        }
        for url in [hosts.apiBaseURL + "/api/v2/tokens/me", hosts.tokenURL] {
            guard let parsed = CurlURL(url) else {
                FuzzTargets.require(false, "accepted '\(url)', which libcurl cannot parse")
                return
            }
            FuzzTargets.require(["https", "http"].contains(parsed.scheme), "accepted \(parsed.scheme): '\(url)'")
            FuzzTargets.require(parsed.user == nil && parsed.password == nil, "accepted userinfo in '\(url)'")
            FuzzTargets.require(parsed.fragment == nil, "accepted a fragment in '\(url)'")
            if parsed.scheme == "http" {
                FuzzTargets.require(isLoopback(parsed.host), "accepted plain http to '\(parsed.host)' in '\(url)'")
            }
        }
    }

    /// `https_proxy` and friends through `ConfigurationResolver.validateProxyVariables`.
    static func proxy(_ value: String) {
        guard !value.isEmpty else { return }
        let schemes: Set<String> = ["http", "https", "socks5", "socks5h"]
        do { try ConfigurationResolver.validateProxyVariables(["https_proxy": value]) } catch { return }
        // Found here once (Fuzz/crashes/url/proxy-combining-mark-after-scheme): a Character-level search for "://"
        // missed a scheme followed by a combining mark; the validation now looks at the bytes, as libcurl does.
        let url = ParsedURL.hasScheme(value) ? value : "http://" + value
        // libcurl reads the variable itself, so the oracle parses the value as it is.
        guard let parsed = CurlURL(url) else {
            FuzzTargets.require(false, "accepted proxy '\(value)', which libcurl cannot parse")
            return
        }
        FuzzTargets.require(schemes.contains(parsed.scheme), "accepted proxy scheme \(parsed.scheme): '\(value)'")
        FuzzTargets.require(parsed.user == nil && parsed.password == nil, "accepted proxy credentials: '\(value)'")
    }

    /// What libcurl will connect to, normalized by libcurl itself (IPv4 forms such as `0x7f.1` become dotted quads).
    static func isLoopback(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        if name == "localhost" || name == "[::1]" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}

/// A URL as libcurl's own parser (`curl_url`) reads it: the oracle for the validation above.
struct CurlURL {
    var scheme: String
    var host: String
    var user: String?
    var password: String?
    var fragment: String?

    init?(_ url: String) {
        guard let handle = curl_url() else { return nil }
        defer { curl_url_cleanup(handle) }
        // The flags libcurl itself uses for CURLOPT_URL (lib/url.c).
        let flags = UInt32(CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME)
        guard curl_url_set(handle, CURLUPART_URL, url, flags) == CURLUE_OK else { return nil }
        func part(_ which: CURLUPart) -> String? {
            var value: UnsafeMutablePointer<CChar>?
            guard curl_url_get(handle, which, &value, 0) == CURLUE_OK, let value else { return nil }
            defer { curl_free(value) }
            return String(cString: value)
        }
        guard let scheme = part(CURLUPART_SCHEME), let host = part(CURLUPART_HOST) else { return nil }
        self.scheme = scheme.lowercased()
        self.host = host
        user = part(CURLUPART_USER)
        password = part(CURLUPART_PASSWORD)
        fragment = part(CURLUPART_FRAGMENT)
    }
}

extension ConfigTargets {
    /// The `--web.config.file` (an operator's YAML, re-read when it changes): parsed strictly by
    /// `WebConfigParser`; whatever the input, the answer is a config or an error of one line (exit 2 prints it as is).
    static func webConfig(_ data: [UInt8]) {
        guard let text = String(validating: data, as: UTF8.self) else { return }
        do {
            _ = try WebConfigParser.parse(text, path: "/nonexistent/web-config.yml")
        } catch {
            let message = "\(error)"
            FuzzTargets.require(!message.contains("\n"), "a multi-line error: \(message)")
        }
    }
}

extension ConfigTargets {
    /// The `--config.file` of multi-org mode (an operator's YAML, re-read on every reload): parsed strictly by
    /// `OrgsFile`; whatever the input, the answer is orgs or an error of one line (exit 2 and the reload's 500
    /// print it as is). That no error quotes a value of `client_secret_env` is a unit test (OrgsFileTests).
    static func orgsFile(_ data: [UInt8]) {
        guard let text = String(validating: data, as: UTF8.self) else { return }
        do {
            let orgs = try OrgsFile.parse(text, path: "orgs.yml")
            for org in orgs {
                FuzzTargets.require(OrgsFile.isValidName(org.name), "accepted the name '\(org.name)'")
                FuzzTargets.require(
                    (org.clientSecretFile == nil) != (org.clientSecretEnv == nil), "not exactly one secret source")
            }
        } catch {
            let message = "\(error)"
            FuzzTargets.require(!message.contains("\n") && !message.contains("\r"), "a multi-line error: \(message)")
        }
    }
}

extension ConfigTargets {
    /// A zoneinfo file (TZif, read for `--collector.queue_performance.time-zone` from `$TZDIR`, which may point
    /// anywhere): a zone or nil, and any zone answers every instant with an offset in RFC 8536's range and a day
    /// start no later than the instant, on the same local date, and at most five days before it (a zone may turn
    /// its clocks back by more than a day, so a date can recur; found by this target).
    static func timeZone(_ data: [UInt8]) {
        guard let zone = TZifParser.parse(data) else { return }
        for instant: Int64 in [0, 1_795_751_400, 2_147_483_647, 4_102_444_800, 253_402_300_799] {
            let offset = zone.offset(at: instant)
            FuzzTargets.require(TZifParser.offsetRange.contains(offset), "offset \(offset) at \(instant)")
            let start = zone.startOfDay(containing: instant)
            FuzzTargets.require(start <= instant && instant - start < 5 * 86_400, "day start \(start) for \(instant)")
            let localDate = { (at: Int64) in (at + Int64(zone.offset(at: at)) + 10 * 86_400) / 86_400 }
            FuzzTargets.require(localDate(start) == localDate(instant), "day start \(start) on another date")
        }
    }
}
