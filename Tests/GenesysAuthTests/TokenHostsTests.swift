import Testing

@testable import GenesysAuth
@testable import GenesysBase

/// Where tokens come from: regions, derived login hosts, and the rule that credentials travel only over https
/// (or plain http to this machine).
@Suite("Token hosts and regions")
struct TokenHostsTests {
    @Test(arguments: [
        ("mypurecloud.ie", "eu-west-1"),
        ("eu-west-1", "eu-west-1"),
        ("EU-WEST-1", "eu-west-1"),
        ("api.mypurecloud.de", "eu-central-1"),
        ("https://api.mypurecloud.com.au/", "ap-southeast-2"),
        ("http://api.usw2.pure.cloud", "us-west-2"),
        ("login.mypurecloud.jp", "ap-northeast-1"),
        ("mypurecloud.com", "us-east-1"),
        ("edee1.eusc-pure.cloud", "eusc-de-east-1"),
        ("use2.us-gov-pure.cloud", "us-east-2"),
    ])
    func test_regionNamed_acceptsDomainAWSNameAndAPIURLForms(_ name: String, _ awsRegion: String) throws {
        let region = try #require(GenesysRegion.named(name))
        #expect(region.awsRegion == awsRegion)
        #expect(region.apiBaseURL == "https://api.\(region.domain)")
        #expect(region.loginBaseURL == "https://login.\(region.domain)")
    }

    @Test(arguments: ["", "mars-north-1", "purecloud.com", "api.example.com", "mypurecloud"])
    func test_regionNamed_unknown_isNil(_ name: String) {
        #expect(GenesysRegion.named(name) == nil)
    }

    @Test func test_regionList_hasTheEighteenSDKRegions_eachUnique() {
        #expect(GenesysRegion.all.count == 18)
        #expect(Set(GenesysRegion.all.map(\.domain)).count == 18)
        #expect(Set(GenesysRegion.all.map(\.awsRegion)).count == 18)
        for region in GenesysRegion.all { #expect(GenesysRegion.named(region.domain) == region) }
    }

    @Test func test_hostsFromRegion_putTheTokenURLOnTheLoginHost() {
        let hosts = GenesysHosts(region: GenesysRegion.named("mypurecloud.ie")!)
        #expect(hosts.apiBaseURL == "https://api.mypurecloud.ie")
        #expect(hosts.tokenURL == "https://login.mypurecloud.ie/oauth/token")
    }

    @Test(arguments: [
        ("https://api.mypurecloud.ie", "https://login.mypurecloud.ie"),
        ("api.mypurecloud.ie", "https://login.mypurecloud.ie"),
        ("  https://api.usw2.pure.cloud///  ", "https://login.usw2.pure.cloud"),
        ("https://gateway.example.com", "https://gateway.example.com"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ])
    func test_loginHost_isDerivedFromTheAPIHost(_ api: String, _ login: String) throws {
        let hosts = try GenesysHosts(apiBaseURL: api)
        #expect(hosts.loginBaseURL == login)
        #expect(!hosts.apiBaseURL.hasSuffix("/"))
        #expect(hosts.tokenURL == login + "/oauth/token")
    }

    @Test func test_explicitLoginHost_winsOverTheDerivedOne() throws {
        let hosts = try GenesysHosts(apiBaseURL: "https://api.mypurecloud.ie", loginBaseURL: "https://sso.example.com/")
        #expect(hosts.loginBaseURL == "https://sso.example.com")
    }

    @Test(arguments: [
        "http://127.0.0.1:9", "http://127.1.2.3", "http://localhost:8080", "http://LOCALHOST", "http://[::1]:9090",
        "http://localhost/",
    ])
    func test_plainHTTP_isAllowedForLoopbackHosts(_ url: String) throws {
        #expect(try GenesysHosts(apiBaseURL: url).apiBaseURL.hasPrefix("http://"))
    }

    @Test(arguments: [
        "http://api.mypurecloud.ie",
        "http://10.0.0.1:8080",
        "http://127.0.0.1.nip.io",  // a public name that merely starts like a loopback address
        "http://localhost.evil.example",
        "http://[::2]:80",
    ])
    func test_plainHTTP_toAnyOtherHost_isRefused_namingTheSetting(_ url: String) {
        let error = #expect(throws: ConfigurationError.self) { _ = try GenesysHosts(apiBaseURL: url) }
        guard case .invalid(let setting, let reason) = error else {
            Issue.record("expected .invalid for \(url), got \(String(describing: error))")
            return
        }
        #expect(setting.contains("GENESYS_API_HOST"))
        #expect(reason.contains("https"))
    }

    @Test func test_plainHTTPLoginHost_isRefused_namingTheLoginSetting() {
        let error = #expect(throws: ConfigurationError.self) {
            _ = try GenesysHosts(apiBaseURL: "https://api.mypurecloud.ie", loginBaseURL: "http://login.mypurecloud.ie")
        }
        #expect("\(String(describing: error))".contains("GENESYS_LOGIN_HOST"))
    }

    @Test(arguments: ["ftp://api.mypurecloud.ie", "file:///etc/passwd", "https://", "gopher://x"])
    func test_badSchemeOrNoHost_isAnErrorMentioningTheSetting(_ url: String) {
        let error = #expect(throws: ConfigurationError.self) { _ = try GenesysHosts(apiBaseURL: url) }
        let text = String(describing: error)
        #expect(text.contains("--genesys.api-url"), "\(text)")
        #expect(!url.hasPrefix("ftp") || text.contains("'ftp'"), "\(text)")
    }
}
