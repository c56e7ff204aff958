import GenesysHTTP
import Testing

@testable import GenesysExporter

/// API, login and proxy URLs go through libcurl's own parser; the checks apply to what libcurl will use.
@Suite("URL validation through curl_url")
struct URLValidationTests {
    @Test(arguments: [
        "http://127.0.0.2:1@localhost",  // the issue's case: userinfo that looks like a loopback host
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

    @Test func test_userInfo_isNamedInTheError_andNeverPassesTheLoopbackRule() {
        switch ParsedURL.parse("http://127.0.0.2:1@localhost") {
        case .success(let url): Issue.record("accepted as \(url)")
        case .failure(let rejection): #expect(rejection.reason.contains("user info"))
        }
    }

    @Test func test_parsedParts_areWhatLibcurlSees() throws {
        let url = try ParsedURL.parse("HTTPS://API.mypurecloud.ie:8443/base/").get()
        #expect(url.scheme == "https")
        #expect(url.port == 8443)
        #expect(url.path == "/base")
        #expect(url.normalized.hasSuffix(":8443/base"))
        let ipv6 = try ParsedURL.parse("http://[::1]:9090").get()
        #expect(ipv6.isLoopback)
        #expect(ipv6.normalized == "http://[::1]:9090")
    }

    @Test(arguments: [
        ("https_proxy", "http://proxy.corp:3128", true), ("HTTPS_PROXY", "proxy.corp:3128", true),
        ("https_proxy", "socks5h://127.0.0.1:1080", true), ("https_proxy", "http://user:secret@proxy.corp:3128", false),
        ("all_proxy", "ftp://proxy.corp", false), ("https_proxy", "http://proxy.corp:3128\t", false),
        ("https_proxy", " http://proxy.corp", false), ("http_proxy", "http://proxy.corp:3128#x", false),
    ])
    func test_proxyVariables_areParsedTheSameWay(_ testCase: (String, String, Bool)) {
        let (variable, value, accepted) = testCase
        do {
            try ConfigurationResolver.validateProxyVariables([variable: value])
            #expect(accepted, "\(variable)=\(value) accepted")
        } catch {
            #expect(!accepted, "\(variable)=\(value): \(error)")
            #expect("\(error)".contains(variable))
            #expect(!"\(error)".contains("secret"), "credentials never echoed: \(error)")
        }
    }
}
