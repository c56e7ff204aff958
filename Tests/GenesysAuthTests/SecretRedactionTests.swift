import Testing

@testable import GenesysAuth

/// A secret never shows its value, however it is printed or reflected.
@Suite("Secret redaction")
struct SecretRedactionTests {
    @Test func test_secret_printsAsRedacted_everywhere() {
        let secret = Secret("hunter2")
        #expect("\(secret)" == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        let token = AccessToken(value: secret, grant: .clientCredentials, lifetime: .seconds(60))
        #expect(!"\(token)".contains("hunter2"))
        #expect(!String(reflecting: token).contains("hunter2"))
        #expect(
            !"\(TokenProviderConfiguration(hosts: GenesysHosts(region: GenesysRegion.all[0]), clientID: "id", clientSecret: secret))"
                .contains("hunter2"))
    }

    /// Every string reachable through `Mirror`, however deep.
    private static func reflectedStrings(_ value: Any) -> [String] {
        Mirror(reflecting: value).children.flatMap { child in
            if let text = child.value as? String { [text] } else { reflectedStrings(child.value) }
        }
    }

    @Test func test_secrets_showNothingThroughDumpOrMirror() {
        let secret = Secret("hunter2-client-secret")
        let refresh = Secret("hunter2-refresh-token")
        let token = AccessToken(value: Secret("hunter2-access-token"), grant: .refreshToken, lifetime: .seconds(60))
        #expect(Mirror(reflecting: secret).children.isEmpty)
        let holders: [Any] = [
            secret, Optional(refresh) as Any, token,
            TokenProviderConfiguration(
                hosts: GenesysHosts(region: GenesysRegion.all[0]), clientID: "id", clientSecret: secret,
                grant: .refreshToken, refreshToken: refresh),
            CachedToken(
                fingerprint: "f", grant: .refreshToken, accessToken: token.value, obtainedAtUnix: 0,
                lifetimeSeconds: 60,
                refreshToken: refresh),
            TokenGrantResult(accessToken: token, refreshToken: refresh),
        ]
        for holder in holders {
            var dumped = ""
            dump(holder, to: &dumped)
            #expect(!dumped.contains("hunter2"), "\(dumped)")
            #expect(dumped.contains("<redacted>"), "\(dumped)")
            #expect(!Self.reflectedStrings(holder).contains { $0.contains("hunter2") }, "\(type(of: holder))")
        }
    }
}
