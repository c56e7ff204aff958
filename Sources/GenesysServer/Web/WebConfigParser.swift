import FoundationEssentials
import GenesysBase
import GenesysJSON
import Glibc

/// Reads exporter-toolkit's web-config YAML strictly: every key is known, every value checked, and a key this
/// server cannot honour is an error naming it rather than silently ignored.
package enum WebConfigParser {
    /// Parses `text`, read from `path` (relative file names in it are resolved against the file's directory).
    package static func parse(_ text: String, path: String) throws(ConfigurationError) -> WebConfig {
        let reader = Reader(path: path)
        if let line = YAMLNesting.firstLineTooDeep(text) {
            throw reader.invalid("", "line \(line) is nested deeper than \(YAMLNesting.maxLevels) levels")
        }
        let root: YAMLNode?
        do { root = try YAMLDocument(text).root } catch {
            // Only the position: the offending line may hold a key.
            throw reader.invalid("", "not valid YAML" + (error.line > 0 ? " at line \(error.line)" : ""))
        }
        guard let root, root.isPresent else { return WebConfig() }
        let top = try reader.mapping(root, at: "")
        try reader.onlyKnownKeys(
            top, at: "", ["tls_server_config", "http_server_config", "basic_auth_users", "rate_limit"])

        var config = WebConfig()
        if let tls = top["tls_server_config"], tls.isPresent {
            config.tls = try tlsSettings(tls, reader: reader)
        }
        if let http = top["http_server_config"], http.isPresent {
            config.headers = try headers(http, reader: reader)
        }
        if let users = top["basic_auth_users"], users.isPresent {
            config.basicAuthUsers = try basicAuthUsers(users, reader: reader)
        }
        if let rateLimit = top["rate_limit"], rateLimit.isPresent {
            config.rateLimit = try rateLimitSettings(rateLimit, reader: reader)
        }
        return config
    }

    /// Most tokens a bucket may save up: far beyond any scraper's need, and small enough for exact arithmetic.
    static let mostBurst = 1_000_000

    /// `rate_limit: {interval, burst}`. An interval of 0 (or none) turns the limit off, as in exporter-toolkit; a
    /// burst below 1 with an interval set is refused, because it would turn every request away.
    private static func rateLimitSettings(
        _ node: YAMLNode, reader: Reader
    ) throws(ConfigurationError) -> WebConfig.RateLimit? {
        let at = "rate_limit"
        let settings = try reader.mapping(node, at: at)
        try reader.onlyKnownKeys(settings, at: at, ["burst", "interval"])
        var interval = Duration.zero
        if let node = settings["interval"], node.isPresent {
            let text = try reader.string(node, at: "\(at).interval")
            if let number = Double(text), number != 0 {
                // Go reads a bare number as nanoseconds, this exporter's other durations as seconds: neither guess.
                throw reader.invalid("\(at).interval", "'\(text)' needs a unit, such as 1s or 100ms")
            }
            guard let parsed = DurationParser.parse(text) else {
                throw reader.invalid("\(at).interval", "'\(text)' is not a duration such as 100ms, 1s or 1m")
            }
            interval = parsed
        }
        var burst = 0
        if let node = settings["burst"], node.isPresent {
            let text = try reader.string(node, at: "\(at).burst")
            guard let parsed = Int(text), (0...mostBurst).contains(parsed) else {
                throw reader.invalid("\(at).burst", "'\(text)' is not a whole number from 0 to \(mostBurst)")
            }
            burst = parsed
        }
        guard interval > .zero else { return nil }
        guard burst >= 1 else {
            throw reader.invalid(
                "\(at).burst", "must be at least 1 when an interval is set (0 would turn every request away)")
        }
        return WebConfig.RateLimit(interval: interval, burst: burst)
    }

    private static func tlsSettings(
        _ node: YAMLNode, reader: Reader
    ) throws(ConfigurationError) -> WebConfig.TLSSettings? {
        let at = "tls_server_config"
        let settings = try reader.mapping(node, at: at)
        try reader.onlyKnownKeys(
            settings, at: at,
            [
                "cert", "key", "client_ca", "cert_file", "key_file", "client_ca_file", "client_auth_type",
                "cipher_suites",
                "curve_preferences", "min_version", "max_version", "prefer_server_cipher_suites", "client_allowed_sans",
            ])
        func text(_ key: String) throws(ConfigurationError) -> String? {
            guard let value = settings[key], value.isPresent else { return nil }
            let string = try reader.string(value, at: "\(at).\(key)")
            return string.isEmpty ? nil : string
        }
        func source(
            file fileKey: String, inline inlineKey: String
        ) throws(ConfigurationError) -> WebConfig.TLSSettings.Source? {
            let file = try text(fileKey), inline = try text(inlineKey)
            if file != nil && inline != nil {
                throw reader.invalid("\(at).\(fileKey)", "set either \(fileKey) or \(inlineKey), not both")
            }
            if let file { return .file(reader.resolve(file)) }
            return inline.map { .inline($0) }
        }
        for unsupported in ["cipher_suites", "curve_preferences", "client_allowed_sans"] {
            if let value = settings[unsupported], value.isPresent {
                guard let list = value.sequence else { throw reader.invalid("\(at).\(unsupported)", "must be a list") }
                if !list.isEmpty {
                    throw reader.invalid(
                        "\(at).\(unsupported)",
                        "cannot be honoured by this exporter (BoringSSL's defaults apply); remove the key")
                }
            }
        }
        if let prefer = settings["prefer_server_cipher_suites"], prefer.isPresent, prefer.scalar?.bool == nil {
            // Accepted for compatibility: Go has ignored it since 1.18 and so do we.
            throw reader.invalid("\(at).prefer_server_cipher_suites", "must be true or false")
        }
        let certificate = try source(file: "cert_file", inline: "cert")
        let privateKey = try source(file: "key_file", inline: "key")
        let clientCAs = try source(file: "client_ca_file", inline: "client_ca")
        let clientAuthName = try text("client_auth_type")
        guard certificate != nil || privateKey != nil || clientCAs != nil || clientAuthName != nil else { return nil }
        guard let certificate else { throw reader.invalid("\(at).cert_file", "missing one of cert or cert_file") }
        guard let privateKey else { throw reader.invalid("\(at).key_file", "missing one of key or key_file") }

        let clientAuth: WebConfig.ClientAuth
        switch clientAuthName {
        case nil: clientAuth = .noClientCert
        case "RequireClientCert": clientAuth = .requireAnyClientCert  // exporter-toolkit's old name
        case let name?:
            guard let known = WebConfig.ClientAuth(rawValue: name) else {
                throw reader.invalid(
                    "\(at).client_auth_type",
                    "'\(name)' is not one of \(WebConfig.ClientAuth.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            clientAuth = known
        }
        if clientCAs != nil && clientAuth == .noClientCert {
            throw reader.invalid(
                "\(at).client_ca_file", "client CAs are configured but client_auth_type is NoClientCert")
        }
        if clientAuth.verifiesAgainstClientCAs && clientCAs == nil {
            throw reader.invalid(
                "\(at).client_ca_file", "client_auth_type \(clientAuth.rawValue) needs client_ca_file (or client_ca)")
        }
        func version(
            _ key: String, default fallback: WebConfig.TLSVersionName
        ) throws(ConfigurationError) -> WebConfig.TLSVersionName {
            guard let name = try text(key) else { return fallback }
            guard let version = WebConfig.TLSVersionName(rawValue: name) else {
                throw reader.invalid(
                    "\(at).\(key)",
                    "'\(name)' is not one of \(WebConfig.TLSVersionName.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            return version
        }
        let minVersion = try version("min_version", default: .tls12)
        let maxVersion = try version("max_version", default: .tls13)
        guard minVersion <= maxVersion else {
            throw reader.invalid(
                "\(at).min_version", "\(minVersion.rawValue) is above max_version \(maxVersion.rawValue)")
        }
        return WebConfig.TLSSettings(
            certificate: certificate, privateKey: privateKey, clientCAs: clientCAs, clientAuth: clientAuth,
            minVersion: minVersion, maxVersion: maxVersion)
    }

    /// exporter-toolkit allows only these headers, some with fixed values, for consistency across exporters.
    static let allowedHeaders: [String: [String]] = [
        "Strict-Transport-Security": [], "X-Content-Type-Options": ["nosniff"],
        "X-Frame-Options": ["deny", "sameorigin"],
        "X-XSS-Protection": [], "Content-Security-Policy": [],
    ]

    private static func headers(
        _ node: YAMLNode, reader: Reader
    ) throws(ConfigurationError) -> [WebConfig.HTTPHeaderSetting] {
        let at = "http_server_config"
        let settings = try reader.mapping(node, at: at)
        try reader.onlyKnownKeys(settings, at: at, ["http2", "headers"])
        if let http2 = settings["http2"], http2.isPresent {
            guard let enabled = http2.scalar?.bool else { throw reader.invalid("\(at).http2", "must be true or false") }
            if enabled {
                throw reader.invalid(
                    "\(at).http2",
                    "HTTP/2 cannot be honoured by this exporter (it serves HTTP/1.1); set it to false or remove it")
            }
        }
        guard let headersNode = settings["headers"], headersNode.isPresent else { return [] }
        var headers: [WebConfig.HTTPHeaderSetting] = []
        for (key, value) in try reader.mapping(headersNode, at: "\(at).headers") {
            let name = try reader.string(key, at: "\(at).headers")
            let keyPath = "\(at).headers.\(name)"
            guard let allowed = allowedHeaders[name] else {
                throw reader.invalid(
                    keyPath,
                    "this header cannot be configured; allowed: \(allowedHeaders.keys.sorted().joined(separator: ", "))"
                )
            }
            let text = try reader.string(value, at: keyPath)
            if !allowed.isEmpty && !allowed.contains(text) {
                throw reader.invalid(keyPath, "'\(text)' is not one of \(allowed.joined(separator: ", "))")
            }
            guard !text.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                throw reader.invalid(keyPath, "must be one line")
            }
            headers.append(WebConfig.HTTPHeaderSetting(name: name, value: text))
        }
        return headers
    }

    private static func basicAuthUsers(_ node: YAMLNode, reader: Reader) throws(ConfigurationError) -> [String: String]
    {
        var users: [String: String] = [:]
        for (key, value) in try reader.mapping(node, at: "basic_auth_users") {
            let user = try reader.string(key, at: "basic_auth_users")
            let keyPath = "basic_auth_users.\(user)"
            guard !user.isEmpty, !user.contains(":") else {
                throw reader.invalid(keyPath, "a user name must be non-empty and contain no ':'")
            }
            // The hash is not secret the way a password is, but it is still never echoed.
            let hash = try reader.string(value, at: keyPath)
            guard BcryptHash.isWellFormed(hash) else {
                throw reader.invalid(keyPath, "not a bcrypt hash ($2a$, $2b$ or $2y$, cost 04 to 31, 60 characters)")
            }
            users[user] = hash
        }
        return users
    }

    /// YAMLNode access that names the key at fault.
    private struct Reader {
        let path: String

        func invalid(_ key: String, _ reason: String) -> ConfigurationError {
            .invalid(
                setting: key.isEmpty ? "--web.config.file \(path)" : "--web.config.file \(path): \(key)", reason: reason
            )
        }

        func mapping(_ node: YAMLNode, at key: String) throws(ConfigurationError) -> YAMLMapping {
            guard let mapping = node.mapping else { throw invalid(key, "must be a mapping of keys to values") }
            return mapping
        }

        func string(_ node: YAMLNode, at key: String) throws(ConfigurationError) -> String {
            guard let scalar = node.scalar else { throw invalid(key, "must be a single value, not a list or mapping") }
            return scalar.string
        }

        func onlyKnownKeys(_ mapping: YAMLMapping, at parent: String, _ known: Set<String>) throws(ConfigurationError) {
            for key in mapping.keys {
                let name = key.scalar?.string ?? "?"
                if !known.contains(name) {
                    throw invalid(
                        parent.isEmpty ? name : "\(parent).\(name)",
                        "unknown key; known: \(known.sorted().joined(separator: ", "))")
                }
            }
        }

        func resolve(_ file: String) -> String {
            guard !file.hasPrefix("/") else { return file }
            let directory = PathText.directory(of: path)
            return directory.isEmpty ? file : "\(directory)/\(file)"
        }
    }
}
