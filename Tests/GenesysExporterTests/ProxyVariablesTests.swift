import Testing

@testable import GenesysExporter

/// The proxy variables libcurl reads are checked with the same URL parser as the API and login URLs.
@Suite("Proxy variables")
struct ProxyVariablesTests {
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
