import Testing

@testable import GenesysAuth
@testable import GenesysHTTP
@testable import GenesysJSON
@testable import GenesysTelemetry

/// A token endpoint's `error_description` reaches logs: stripped of anything that could forge a line.
@Suite("Token error text")
struct TokenErrorTextTests {
    private static func hasRawHostileScalar(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.isControlOrInvisibleLayout }
    }

    @Test func test_tokenErrorDescription_fromTheBody_isStrippedAndCapped() {
        for status in [400, 401] {
            for code in ["invalid_client", "weird\u{1B}]0;title\u{7}"] {
                let body =
                    #"{"error":\#(JSONText.quoted(code)),"error_description":"bad\r\nts=x level=error msg=forged\u0085 \#(String(repeating: "z", count: 1000))"}"#
                let error = TokenEndpoint.classify(
                    failure: HTTPResponse(status: status, body: Array(body.utf8)), grant: .clientCredentials)
                #expect(!Self.hasRawHostileScalar(error.message), "\(error.message.debugDescription)")
                #expect(error.message.contains("bad ts=x level=error msg=forged z"))
                #expect(error.message.count < 600)
            }
        }
    }
}
