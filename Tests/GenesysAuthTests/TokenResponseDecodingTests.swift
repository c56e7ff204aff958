import Testing

@testable import GenesysAuth
@testable import GenesysHTTP

/// `TokenEndpoint.decode` and `classify`: what a token endpoint answer becomes, without a network.
@Suite("Token response decoding")
struct TokenResponseDecodingTests {
    private func decode(_ body: String, grant: OAuthGrant = .clientCredentials) throws(TokenError) -> TokenGrantResult {
        try TokenEndpoint.decode(
            success: HTTPResponse(status: 200, body: Array(body.utf8)), grant: grant,
            obtainedAt: .now, obtainedAtUnix: 1_700_000_000)
    }

    static let unusableBodies: [(String, String)] = [
        ("missing access_token", #"{"token_type":"bearer","expires_in":86399}"#),
        ("null access_token", #"{"access_token":null,"token_type":"bearer","expires_in":86399}"#),
        ("numeric access_token", #"{"access_token":12345,"token_type":"bearer","expires_in":86399}"#),
        (
            "header-injecting access_token",
            #"{"access_token":"abc\r\nX-Injected: 1","token_type":"bearer","expires_in":86399}"#
        ),
        ("access_token with a space", #"{"access_token":"abc def","token_type":"bearer","expires_in":86399}"#),
        (
            "header-injecting refresh_token",
            #"{"access_token":"abc","refresh_token":"r\nX: 1","token_type":"bearer","expires_in":86399}"#
        ),
        ("empty access_token", #"{"access_token":"","token_type":"bearer","expires_in":86399}"#),
        ("missing expires_in", #"{"access_token":"abc","token_type":"bearer"}"#),
        ("zero expires_in", #"{"access_token":"abc","token_type":"bearer","expires_in":0}"#),
        ("negative expires_in", #"{"access_token":"abc","token_type":"bearer","expires_in":-60}"#),
        ("infinite expires_in", #"{"access_token":"abc","token_type":"bearer","expires_in":-1e400}"#),
        ("int64-min expires_in", #"{"access_token":"abc","token_type":"bearer","expires_in":-9223372036854775808}"#),
        ("string expires_in", #"{"access_token":"abc","token_type":"bearer","expires_in":"86399"}"#),
        ("fractional expires_in", #"{"access_token":"abc","token_type":"bearer","expires_in":86399.5}"#),
        ("mac token_type", #"{"access_token":"abc","token_type":"mac","expires_in":86399}"#),
        ("array body", #"[{"access_token":"abc","expires_in":86399}]"#),
        ("null body", "null"),
        ("empty body", ""),
        ("HTML body", "<html><body>Service Unavailable</body></html>"),
        ("truncated body", #"{"access_token":"abc","expires_in":863"#),
    ]

    @Test(arguments: unusableBodies)
    func test_unusableSuccessBody_isMalformedResponse(_ testCase: (String, String)) {
        let (name, body) = testCase
        #expect(throws: TokenError.self, "\(name)") { _ = try decode(body) }
        do throws(TokenError) {
            _ = try decode(body)
        } catch {
            #expect(error.reason == .malformedResponse, "\(name)")
            #expect(error.message.contains("200"), "\(name): \(error.message)")
        }
    }

    /// Genesys never issues more than 48 h; a longer announcement is lowered to 48 h (renewing early is
    /// harmless), never trusted into Duration arithmetic, and reported so the caller can warn.
    @Test(arguments: [
        ("315360000", 315_360_000), ("1e300", Int.max), ("9223372036854775807", Int.max), ("172801", 172_801),
    ])
    func test_implausiblyLongLifetime_isClampedTo48Hours(_ testCase: (String, Int)) throws {
        let result = try decode(#"{"access_token":"abc","token_type":"bearer","expires_in":\#(testCase.0)}"#)
        #expect(result.accessToken.lifetime == .seconds(48 * 3600))
        #expect(result.clampedFromSeconds != nil)
        if testCase.1 != Int.max { #expect(result.clampedFromSeconds == testCase.1) }
    }

    @Test func test_lifetimeOfExactly48Hours_isNotClamped() throws {
        let result = try decode(#"{"access_token":"abc","token_type":"bearer","expires_in":172800}"#)
        #expect(result.accessToken.lifetime == .seconds(172_800))
        #expect(result.clampedFromSeconds == nil)
    }

    @Test func test_loginServiceRateLimitAs400InvalidRequest_isRateLimited() {
        let body = #"{"error":"invalid_request","description":"rate limit exceeded; retry later"}"#
        let error = TokenEndpoint.classify(
            failure: HTTPResponse(status: 400, body: Array(body.utf8)), grant: .clientCredentials)
        #expect(error.reason == .rateLimited)
        #expect(error.message.contains("rate limit"), "\(error.message)")
        let plain400 = #"{"error":"invalid_request","description":"grant_type is missing"}"#
        #expect(
            TokenEndpoint.classify(
                failure: HTTPResponse(status: 400, body: Array(plain400.utf8)), grant: .clientCredentials
            ).reason == .httpError)
    }

    @Test(arguments: [
        "9223372036854775807", "99999999999999999999999", "-1", "1e300", "soon", "Fri, 31 Dec 9999 23:59:59 GMT",
    ])
    func test_absurdRetryAfterOnTheTokenEndpoint_neverExceedsTheCeiling(_ header: String) {
        let response = HTTPResponse(status: 429, headers: ResponseHeaders([("Retry-After", header)]), body: [])
        let error = TokenEndpoint.classify(failure: response, grant: .clientCredentials)
        #expect(error.reason == .rateLimited)
        if let wait = error.retryAfter { #expect(wait >= .zero && wait <= RetryAfter.ceiling, "\(header) → \(wait)") }
    }

    @Test func test_truncatedBody_doesNotQuoteTheTokenInTheError() {
        let fragment = "Zq8vK2mXw9rT4bLp"
        do throws(TokenError) {
            _ = try decode(#"{"access_token":"\#(fragment)"#)
            Issue.record("a truncated body decoded")
        } catch {
            #expect(error.reason == .malformedResponse)
            #expect(!error.message.contains(fragment), "\(error.message)")
        }
    }

    @Test func test_genesysShapedAnswer_decodesWithItsLifetime() throws {
        let result = try decode(#"{"access_token":"tok-123","token_type":"bearer","expires_in":86399}"#)
        #expect(result.accessToken.value.exposedValue == "tok-123")
        #expect(result.accessToken.lifetime == .seconds(86399))
        #expect(result.accessToken.grant == .clientCredentials)
        #expect(result.accessToken.obtainedAtUnix == 1_700_000_000)
        #expect(result.refreshToken == nil)
    }

    @Test(arguments: [#""Bearer""#, #""BEARER""#, "null"])
    func test_tokenTypeBearerInAnyCase_orAbsent_isAccepted(_ tokenType: String) throws {
        let result = try decode(#"{"access_token":"tok","token_type":\#(tokenType),"expires_in":300}"#)
        #expect(result.accessToken.lifetime == .seconds(300))
    }

    @Test func test_longestLifetimeGenesysAllows_isAccepted() throws {
        #expect(try decode(#"{"access_token":"tok","expires_in":172800}"#).accessToken.lifetime == .seconds(172800))
    }

    @Test func test_refreshGrantAnswer_carriesTheRotatedRefreshToken() throws {
        let result = try decode(
            #"{"access_token":"tok","token_type":"bearer","expires_in":86399,"refresh_token":"rt-2"}"#,
            grant: .refreshToken)
        #expect(result.refreshToken?.exposedValue == "rt-2")
        #expect(result.accessToken.grant == .refreshToken)
        #expect(
            try decode(#"{"access_token":"tok","expires_in":60,"refresh_token":""}"#, grant: .refreshToken).refreshToken
                == nil)
    }

    // MARK: classify

    private func classify(
        _ status: Int, _ body: String, headers: [(String, String)] = [], grant: OAuthGrant = .clientCredentials
    ) -> TokenError {
        TokenEndpoint.classify(
            failure: HTTPResponse(
                status: status, headers: ResponseHeaders(headers.map { (name: $0.0, value: $0.1) }),
                body: Array(body.utf8)), grant: grant)
    }

    @Test(arguments: [400, 401])
    func test_invalidClient_atEitherStatus_namesTheSettingsToCheck(_ status: Int) {
        let error = classify(
            status,
            #"{"error":"invalid_client","description":"authentication failed","error_description":"authentication failed"}"#
        )
        #expect(error.reason == .invalidClient)
        #expect(error.message.contains("GENESYS_CLIENT_ID"))
        #expect(error.message.contains("authentication failed"))
    }

    @Test func test_unauthorizedClient_saysWhichGrantTypeToEnable() {
        let error = classify(
            400,
            #"{"error":"unauthorized_client","error_description":"the client is not authorized to use this grant type"}"#
        )
        #expect(error.reason == .unauthorizedClient)
        #expect(error.message.contains("Client Credentials"))
    }

    @Test func test_invalidGrant_tellsTheUserToReauthorize() {
        let error = classify(
            400, #"{"error":"invalid_grant","error_description":"invalid refresh token"}"#, grant: .refreshToken)
        #expect(error.reason == .invalidGrant)
        #expect(error.message.contains("re-authorize"))
        #expect(error.message.contains("GENESYS_REFRESH_TOKEN"))
    }

    @Test func test_tooManyRequests_carriesRetryAfter_readCaseInsensitively() {
        let error = classify(429, #"{"error":"too_many_requests"}"#, headers: [("retry-after", " 7 ")])
        #expect(error.reason == .rateLimited)
        #expect(error.retryAfter == .seconds(7))
        #expect(classify(429, "").retryAfter == nil)
    }

    @Test(arguments: [500, 502, 503, 504])
    func test_serverErrors_areServerError(_ status: Int) {
        #expect(classify(status, "<html>bad gateway</html>").reason == .serverError)
    }

    @Test func test_otherStatus_isHTTPError_withTheStatusInTheMessage() {
        let error = classify(404, "not json")
        #expect(error.reason == .httpError)
        #expect(error.message.contains("404"))
    }
}
