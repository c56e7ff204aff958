import Testing

@testable import GenesysAuth
@testable import GenesysBase
@testable import GenesysHTTP

/// The API and login URLs go through libcurl's own parser (GenesysHTTP's ParsedURL) before they become hosts.
@Suite("API and login URL validation")
struct HostURLValidationTests {
    @Test(arguments: [
        "http://127.0.0.2:1@localhost",  // the case: userinfo that looks like a loopback host
        "http://127.0.0.2:1@evil.example",
        "https://user:pass@api.mypurecloud.ie",
        "https://user@api.mypurecloud.ie",
        "https://api.mypurecloud.ie#fragment",
        "https://api.mypurecloud.ie/?debug=1",
        "ftp://api.mypurecloud.ie",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "ftp://\u{301}api.mypurecloud.ie",  // a combining mark after "://" must not hide the scheme
        "https://",
        "https://api.mypurecloud.ie:99999",
        "https://api.mypure cloud.ie",
        "https://api.mypurecloud.ie\r\nX-Injected: 1",
        "",
    ])
    func test_hostileOrMalformedURLs_areRefusedNamingTheSetting(_ raw: String) {
        #expect(throws: ConfigurationError.self, "\(raw)") { _ = try GenesysHosts(apiBaseURL: raw) }
        #expect(throws: ConfigurationError.self, "\(raw)") {
            _ = try GenesysHosts(apiBaseURL: "https://api.mypurecloud.ie", loginBaseURL: raw)
        }
        do {
            _ = try GenesysHosts(apiBaseURL: "https://api.mypurecloud.ie", loginBaseURL: raw)
        } catch {
            #expect("\(error)".contains("GENESYS_LOGIN_HOST"), "\(error)")
            #expect(!"\(error)".contains("\n"), "one line: \(error)")
        }
    }
}
