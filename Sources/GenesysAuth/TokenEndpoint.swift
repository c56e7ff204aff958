import FoundationEssentials
import GenesysBase
import GenesysHTTP
import GenesysJSON
import GenesysTelemetry
import Glibc

/// What a successful grant returns.
package struct TokenGrantResult: Sendable {
    package let accessToken: AccessToken
    /// The rotated refresh token (refresh_token grant only).
    package let refreshToken: Secret?
    /// The `expires_in` the server sent when it was above the 48 h maximum and was lowered to it.
    package var clampedFromSeconds: Int? = nil
}

/// Performs one OAuth2 token request against `POST <login host>/oauth/token` and classifies the outcome.
package struct TokenEndpoint: Sendable {
    package let tokenURL: String
    package let clientID: String
    package let clientSecret: Secret
    package let http: HTTPClient
    package let timeout: Duration
    private let clock: any ExporterClock

    /// Genesys Cloud issues tokens for 300 s to 48 h; a longer announced lifetime is lowered to this.
    static let longestLifetimeSeconds: Double = 48 * 3600

    package init(
        tokenURL: String, clientID: String, clientSecret: Secret, http: HTTPClient, timeout: Duration = .seconds(15),
        clock: any ExporterClock = SystemClock()
    ) {
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.http = http
        self.timeout = timeout
        self.clock = clock
    }

    package func requestToken(grant: OAuthGrant, refreshToken: Secret?) async throws(TokenError) -> TokenGrantResult {
        var form = "grant_type=\(grant.rawValue)"
        if grant == .refreshToken {
            guard let refreshToken else {
                throw TokenError(
                    reason: .invalidGrant,
                    message:
                        "no refresh token is configured: set GENESYS_REFRESH_TOKEN to the token from the authorization-code flow"
                )
            }
            form += "&refresh_token=\(PercentEncoding.encode(refreshToken.exposedValue))"
        }
        let basic = Data("\(clientID):\(clientSecret.exposedValue)".utf8).base64EncodedString()
        let request = HTTPRequest(
            method: "POST", url: tokenURL,
            headers: [
                ("Authorization", "Basic \(basic)"), ("Content-Type", "application/x-www-form-urlencoded"),
                ("Accept", "application/json"),
            ],
            body: Array(form.utf8), timeout: timeout)
        let started = clock.now
        let startedUnix = clock.unixNow
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            switch error {
            case .timeout(let message):
                throw TokenError(reason: .timeout, message: "token request to \(tokenURL) timed out: \(message)")
            case .cancelled: throw TokenError(reason: .network, message: "token request cancelled")
            case .responseTooLarge:
                // The server answered, with something no token endpoint sends: a content problem, not the network.
                throw TokenError(reason: .malformedResponse, message: "token request to \(tokenURL): \(error)")
            default: throw TokenError(reason: .network, message: "token request to \(tokenURL) failed: \(error)")
            }
        }
        guard response.status == 200 else { throw Self.classify(failure: response, grant: grant) }
        return try Self.decode(success: response, grant: grant, obtainedAt: started, obtainedAtUnix: startedUnix)
    }

    package static func decode(
        success response: HTTPResponse, grant: OAuthGrant, obtainedAt: ContinuousClock.Instant, obtainedAtUnix: Double
    ) throws(TokenError) -> TokenGrantResult {
        func malformed(_ detail: String) -> TokenError {
            TokenError(
                reason: .malformedResponse, message: "the token endpoint answered 200 with an unusable body: \(detail)")
        }
        let document: JSONCursor
        do throws(JSONParseError) { document = try JSONParser.document(response.body) } catch {
            throw malformed(error.withoutExcerpt)
        }
        let value: String
        let announced: Double
        do {
            value = try document.string("access_token")
            announced = try document.field("expires_in").double()
        } catch {
            throw malformed("\(error)")
        }
        guard !value.isEmpty else { throw malformed("access_token is empty") }
        // The token goes into an Authorization header: CR, LF or anything but visible ASCII could inject one.
        guard TokenCache.isUsableToken(value) else {
            throw malformed("access_token holds characters a token never has")
        }
        // Range-checked before any arithmetic: a whole number of seconds, at least 1.
        guard announced.isFinite, announced >= 1, announced.rounded() == announced else {
            throw malformed(
                "expires_in is \(announced.isFinite ? "\(announced)" : "not a finite number"); expected whole seconds >= 1"
            )
        }
        let expiresIn = Int(min(announced, longestLifetimeSeconds))
        let clampedFrom = announced > longestLifetimeSeconds ? (announced < 1e15 ? Int(announced) : Int.max) : nil
        if let type = try? document.optionalString("token_type"), type.lowercased() != "bearer" {
            throw malformed("token_type is '\(SafeExcerpt.of(type, limit: 40))', expected bearer")
        }
        let rotatedText = (try? document.optionalString("refresh_token")) ?? nil
        if let rotatedText, !rotatedText.isEmpty, !TokenCache.isUsableToken(rotatedText) {
            throw malformed("refresh_token holds characters a token never has")
        }
        let rotated = rotatedText.flatMap { $0.isEmpty ? nil : Secret($0) }
        let token = AccessToken(
            value: Secret(value), grant: grant, lifetime: .seconds(expiresIn), obtainedAt: obtainedAt,
            obtainedAtUnix: obtainedAtUnix)
        return TokenGrantResult(accessToken: token, refreshToken: rotated, clampedFromSeconds: clampedFrom)
    }

    /// Genesys Cloud's login service also answers a rate limit as `400 invalid_request` with a description
    /// saying so, not only as 429.
    static func isLoginRateLimit(status: Int, code: String?, detail: String) -> Bool {
        guard status == 400, code == "invalid_request" else { return false }
        let text = detail.lowercased()
        return text.contains("rate limit") || text.contains("too many requests")
    }

    package static func classify(failure response: HTTPResponse, grant: OAuthGrant) -> TokenError {
        let status = response.status
        let answer = ErrorAnswer(body: response.body)
        let code = answer.code
        let detail = answer.message ?? ""
        let said = detail.isEmpty ? "" : " (\(SafeExcerpt.of(detail)))"
        if status == 429 || isLoginRateLimit(status: status, code: code, detail: detail) {
            let retryAfter = response.retryAfter
            return TokenError(
                reason: .rateLimited,
                message:
                    "the token endpoint is rate limiting this client (HTTP \(status)\(said))\(retryAfter.map { ", retry after \($0.wholeSeconds) s" } ?? ""); backing off",
                retryAfter: retryAfter)
        }
        if status >= 500 {
            return TokenError(
                reason: .serverError,
                message:
                    "the token endpoint failed with HTTP \(status); Genesys Cloud may be degraded, will retry with backoff"
            )
        }
        switch code {
        case "invalid_client":
            return TokenError(
                reason: .invalidClient,
                message:
                    "the OAuth client id or secret was rejected (HTTP \(status) invalid_client\(said)): check GENESYS_CLIENT_ID and the client secret; the secret may have been rotated or the OAuth client deleted"
            )
        case "unauthorized_client":
            return TokenError(
                reason: .unauthorizedClient,
                message:
                    "the OAuth client may not use the \(grant.rawValue) grant (HTTP \(status) unauthorized_client\(said)): in Admin > OAuth, set the client's grant type to \(grant == .clientCredentials ? "Client Credentials" : "Code Authorization")"
            )
        case "invalid_grant":
            return TokenError(
                reason: .invalidGrant,
                message:
                    "the refresh token is no longer valid (HTTP \(status) invalid_grant\(said)): the user must re-authorize; put the new refresh token in GENESYS_REFRESH_TOKEN and delete the token cache file"
            )
        default:
            return TokenError(
                reason: .httpError,
                message:
                    "the token endpoint answered HTTP \(status)\(code.map { " \(SafeExcerpt.of($0, limit: 80))" } ?? "")\(said)"
            )
        }
    }

}

extension JSONParseError {
    /// jansson's message without its `near '…'` excerpt of the input, which can quote part of a token.
    var withoutExcerpt: String {
        let reason = text.firstRange(of: " near '").map { String(text[..<$0.lowerBound]) } ?? text
        return "invalid JSON at line \(line), column \(column): \(reason)"
    }
}
