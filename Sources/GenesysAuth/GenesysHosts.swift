import GenesysBase
/// Where the API and the login service live for one org.
import GenesysHTTP

package struct GenesysHosts: Sendable, Equatable {
    package let apiBaseURL: String
    package let loginBaseURL: String

    package var tokenURL: String { "\(loginBaseURL)/oauth/token" }

    package init(region: GenesysRegion) {
        self.apiBaseURL = region.apiBaseURL
        self.loginBaseURL = region.loginBaseURL
    }

    /// Validates both URLs; plain http is allowed only for loopback hosts (tests, the simulator, local proxies).
    package init(apiBaseURL: String, loginBaseURL: String? = nil) throws(ConfigurationError) {
        let api = try Self.normalized(apiBaseURL, setting: "GENESYS_API_HOST / --genesys.api-url")
        let login =
            try loginBaseURL.map { url throws(ConfigurationError) in
                try Self.normalized(url, setting: "GENESYS_LOGIN_HOST / --genesys.login-url")
            } ?? Self.derivedLoginURL(fromAPI: api)
        self.apiBaseURL = api
        self.loginBaseURL = login
    }

    /// The SDKs' rule: the login host is the API host with `api.` replaced by `login.`.
    static func derivedLoginURL(fromAPI api: String) -> String {
        guard let schemeEnd = api.firstRange(of: "://") else { return api }
        let host = api[schemeEnd.upperBound...]
        guard host.hasPrefix("api.") else { return api }
        return api[..<schemeEnd.upperBound] + "login." + host.dropFirst(4)
    }

    /// Parses with libcurl's own URL parser and decides on the parsed parts; plain http only for loopback. Every
    /// base URL the exporter calls (API, login, the status page) goes through this one rule.
    package static func normalized(_ raw: String, setting: String) throws(ConfigurationError) -> String {
        let url: ParsedURL
        switch ParsedURL.parse(raw) {
        case .success(let parsed): url = parsed
        case .failure(let rejection):
            // A URL with user info holds credentials: never quote it.
            let shown = raw.contains("@") ? "<redacted>" : ParsedURL.printable(raw)
            throw .invalid(setting: setting, reason: "'\(shown)' \(rejection.reason)")
        }
        if url.scheme == "http" && !url.isLoopback {
            throw .invalid(setting: setting, reason: "plain http is allowed only for loopback hosts; use https://")
        }
        return url.normalized
    }
}
