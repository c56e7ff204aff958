import Testing

@testable import GenesysHTTP

/// API, login and proxy URLs go through libcurl's own parser; the checks apply to what libcurl will use (the
/// hosts' and the proxy variables' tests are in GenesysAuthTests and GenesysExporterTests).
@Suite("URL validation through curl_url")
struct URLValidationTests {
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
}
