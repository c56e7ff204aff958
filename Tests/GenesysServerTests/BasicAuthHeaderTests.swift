import Foundation
import Testing

@testable import GenesysServer

@Suite("Reading the Authorization header and checking bcrypt")
struct BasicAuthHeaderTests {
    @Test func test_base64_decodesWhatFoundationEncodes_forRandomBytes() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<300 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(Base64.decode(Data(bytes).base64EncodedString()) == bytes, "length \(length)")
        }
    }

    @Test(arguments: ["=", "a", "abc", "ab=c", "a===", "!!!!", "YWJj\n", String(repeating: "QUFB", count: 2_000)])
    func test_base64_rejectsMalformedOrOversizedInput(_ text: String) {
        #expect(Base64.decode(text) == nil)
    }

    @Test func test_credentials_areSplitAtTheFirstColon_andTheSchemeIsCaseInsensitive() {
        let header = "bAsIc " + Data("alice:pa:ss word".utf8).base64EncodedString()
        let credentials = BasicAuthenticator.credentials(fromAuthorization: header)
        #expect(credentials?.user == "alice")
        #expect(credentials?.password == "pa:ss word")
    }

    @Test(arguments: [
        nil, "", "Basic", "Basic ", "Bearer YWxpY2U6cHc=", "Basic YWxpY2U=", "Basic ////", "Digest username=alice",
    ])
    func test_credentials_areNilForAnythingButBasicUserColonPassword(_ header: String?) {
        #expect(BasicAuthenticator.credentials(fromAuthorization: header) == nil)
    }

    @Test func test_bcrypt_matchesOnlyTheRightPassword_andRejectsNUL() {
        let hash = "$2b$04$O5ZMpYxDbD9h9/hYrA2DLOwP3zv0lj57brtCN6jIana68tCpHNIki"
        #expect(BcryptHash.matches(password: "scrape-secret", hash: hash))
        #expect(!BcryptHash.matches(password: "scrape-secreT", hash: hash))
        #expect(!BcryptHash.matches(password: "scrape-secret\u{0}tail", hash: hash))
        #expect(!BcryptHash.matches(password: "scrape-secret", hash: "$2b$04$" + String(repeating: ".", count: 53)))
    }

    @Test func test_unknownUsers_costABcryptToo_andVerdictsAreRemembered() {
        let counter = BcryptCounter()
        let authenticator = BasicAuthenticator(
            users: ["alice": "$2b$04$O5ZMpYxDbD9h9/hYrA2DLOwP3zv0lj57brtCN6jIana68tCpHNIki"], counters: counter)
        let mallory = "Basic " + Data("mallory:scrape-secret".utf8).base64EncodedString()
        guard case .needsBcrypt(let credentials) = authenticator.verdict(authorization: mallory) else {
            Issue.record("an unknown user must still be checked with bcrypt (timing)")
            return
        }
        #expect(!authenticator.verify(credentials))
        #expect(counter.computations == 1)
        #expect(authenticator.verdict(authorization: mallory) == .denied)
        let alice = "Basic " + Data("alice:scrape-secret".utf8).base64EncodedString()
        guard case .needsBcrypt(let right) = authenticator.verdict(authorization: alice) else { return }
        #expect(authenticator.verify(right))
        #expect(authenticator.verdict(authorization: alice) == .allowed)
        #expect(counter.computations == 2)
    }
}
