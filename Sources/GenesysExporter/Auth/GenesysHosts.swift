/// Where the API and the login service live for one org.
public struct GenesysHosts: Sendable, Equatable {
    public let apiBaseURL: String
    public let loginBaseURL: String

    public var tokenURL: String { "\(loginBaseURL)/oauth/token" }

    public init(region: GenesysRegion) {
        self.apiBaseURL = region.apiBaseURL
        self.loginBaseURL = region.loginBaseURL
    }

    /// Validates both URLs; plain http is allowed only for loopback hosts (tests, the simulator, local proxies).
    public init(apiBaseURL: String, loginBaseURL: String? = nil) throws(ConfigurationError) {
        let api = try Self.normalized(apiBaseURL, setting: "GENESYS_API_HOST / --genesys.api-url")
        let login = try loginBaseURL.map { url throws(ConfigurationError) in
            try Self.normalized(url, setting: "GENESYS_LOGIN_HOST / --genesys.login-url")
        } ?? Self.derivedLoginURL(fromAPI: api)
        self.apiBaseURL = api
        self.loginBaseURL = login
    }

    /// The SDKs' rule: the login host is the API host with `api.` replaced by `login.`.
    static func derivedLoginURL(fromAPI api: String) -> String {
        guard let schemeEnd = api.range(of: "://") else { return api }
        let host = api[schemeEnd.upperBound...]
        guard host.hasPrefix("api.") else { return api }
        return api[..<schemeEnd.upperBound] + "login." + host.dropFirst(4)
    }

    static func normalized(_ raw: String, setting: String) throws(ConfigurationError) -> String {
        var url = raw.trimming(" \t")
        if !url.contains("://") { url = "https://" + url }
        while url.hasSuffix("/") { url.removeLast() }
        guard let schemeEnd = url.range(of: "://") else { throw .invalid(setting: setting, reason: "'\(raw)' is not a URL") }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        let authority = url[schemeEnd.upperBound...].prefix { $0 != "/" }
        guard !authority.isEmpty else { throw .invalid(setting: setting, reason: "'\(raw)' has no host") }
        switch scheme {
        case "https": return url
        case "http":
            guard isLoopback(String(authority)) else {
                throw .invalid(setting: setting, reason: "plain http is allowed only for loopback hosts; use https://")
            }
            return url
        default:
            throw .invalid(setting: setting, reason: "scheme '\(scheme)' is not supported; use https://")
        }
    }

    static func isLoopback(_ authority: String) -> Bool {
        var host = authority.lowercased()
        if host.hasPrefix("[") { host = String(host.dropFirst().prefix { $0 != "]" }) }
        else if let colon = host.lastIndex(of: ":") { host = String(host[..<colon]) }
        return host == "localhost" || host == "::1" || isLoopbackIPv4(host)
    }

    /// A dotted-quad literal in 127.0.0.0/8. A prefix test would pass `127.0.0.1.nip.io` or
    /// `127.0.0.1@example.com`, which curl sends to a public host: with the secret in cleartext.
    static func isLoopbackIPv4(_ host: String) -> Bool {
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets[0] == "127" else { return false }
        return octets.allSatisfy { octet in octet.allSatisfy { $0.isASCII && $0.isNumber } && UInt8(octet) != nil }
    }
}

extension String {
    /// Drops leading and trailing characters found in `characters`, compared as Unicode scalars so
    /// that "\r\n" (one Character) is trimmed by a set holding "\r" and "\n".
    func trimming(_ characters: String) -> String {
        let set = Set(characters.unicodeScalars)
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, set.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, set.contains(last) { scalars.removeLast() }
        return String(scalars)
    }
}
