import Testing

@testable import GenesysAPI
@testable import GenesysHTTP
@testable import GenesysTelemetry

/// An API error's `message` reaches logs, `check` and `/-/ready`: stripped of anything that could forge a line.
@Suite("API error text")
struct APIErrorTextTests {
    private static func hasRawHostileScalar(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.isControlOrInvisibleLayout }
    }

    @Test func test_apiErrorMessage_fromTheBody_isStrippedAndCapped() {
        let body =
            #"{"message":"denied\n\u001b[2Jlevel=error msg=forged \u2028 \#(String(repeating: "y", count: 1000))","code":"bad\r\ncode"}"#
        let error = GenesysAPIClient.classify(
            endpoint: .routingQueues, response: HTTPResponse(status: 400, body: Array(body.utf8)),
            correlationID: nil)
        #expect(!Self.hasRawHostileScalar(error.message), "\(error.message.debugDescription)")
        #expect(error.message.hasPrefix("HTTP 400 [bad code]: denied [2Jlevel=error msg=forged y"))
        #expect(error.message.count < 500)
    }

    @Test func test_missingPermission_survivesTheExcerpt() {
        let body =
            #"{"message":"You are missing the following permission(s): routing:queue:view","code":"missing.permissions"}"#
        let error = GenesysAPIClient.classify(
            endpoint: .routingQueues, response: HTTPResponse(status: 403, body: Array(body.utf8)),
            correlationID: nil)
        #expect(error.missingPermission == "routing:queue:view")
    }
}
