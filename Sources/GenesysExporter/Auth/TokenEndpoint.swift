import Foundation

/// What a successful grant returns.
public struct TokenGrantResult: Sendable {
    public let accessToken: AccessToken
    /// The rotated refresh token (refresh_token grant only).
    public let refreshToken: Secret?
}

/// Performs one OAuth2 token request against `POST <login host>/oauth/token` and classifies the outcome.
public struct TokenEndpoint: Sendable {
    public let tokenURL: String
    public let clientID: String
    public let clientSecret: Secret
    public let http: HTTPClient
    public let timeout: Duration

    /// Lifetimes above this are treated as a malformed answer (Genesys allows at most 48 h).
    static let longestPlausibleLifetime = 30 * 24 * 3600

    public init(tokenURL: String, clientID: String, clientSecret: Secret, http: HTTPClient, timeout: Duration = .seconds(15)) {
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.http = http
        self.timeout = timeout
    }

    public func requestToken(grant: OAuthGrant, refreshToken: Secret?) async throws(TokenError) -> TokenGrantResult {
        var form = "grant_type=\(grant.rawValue)"
        if grant == .refreshToken {
            guard let refreshToken else {
                throw TokenError(reason: .invalidGrant, message: "no refresh token is configured: set GENESYS_REFRESH_TOKEN to the token from the authorization-code flow")
            }
            form += "&refresh_token=\(PercentEncoding.encode(refreshToken.exposedValue))"
        }
        let basic = Data("\(clientID):\(clientSecret.exposedValue)".utf8).base64EncodedString()
        let request = HTTPRequest(
            method: "POST", url: tokenURL,
            headers: [("Authorization", "Basic \(basic)"), ("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
            body: Array(form.utf8), timeout: timeout)
        let started = ContinuousClock.now
        let startedUnix = Date().timeIntervalSince1970
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            switch error {
            case .timeout(let message): throw TokenError(reason: .timeout, message: "token request to \(tokenURL) timed out: \(message)")
            case .cancelled: throw TokenError(reason: .network, message: "token request cancelled")
            default: throw TokenError(reason: .network, message: "token request to \(tokenURL) failed: \(error)")
            }
        }
        guard response.status == 200 else { throw Self.classify(failure: response, grant: grant) }
        return try Self.decode(success: response, grant: grant, obtainedAt: started, obtainedAtUnix: startedUnix)
    }

    package static func decode(success response: HTTPResponse, grant: OAuthGrant, obtainedAt: ContinuousClock.Instant, obtainedAtUnix: Double) throws(TokenError) -> TokenGrantResult {
        func malformed(_ detail: String) -> TokenError {
            TokenError(reason: .malformedResponse, message: "the token endpoint answered 200 with an unusable body: \(detail)")
        }
        let document: JSONCursor
        do throws(JSONParseError) { document = JSONCursor(try JSONParser.parse(response.body)) } catch { throw malformed(error.withoutExcerpt) }
        let value: String
        let expiresIn: Int
        do {
            value = try document.string("access_token")
            expiresIn = try document.int("expires_in")
        } catch {
            throw malformed("\(error)")
        }
        guard !value.isEmpty else { throw malformed("access_token is empty") }
        guard expiresIn > 0 else { throw malformed("expires_in is \(expiresIn)") }
        guard expiresIn <= longestPlausibleLifetime else { throw malformed("expires_in \(expiresIn) s is implausibly long") }
        if let type = try? document.optionalString("token_type"), type.lowercased() != "bearer" {
            throw malformed("token_type is '\(type)', expected bearer")
        }
        let rotated = (try? document.optionalString("refresh_token"))?.flatMap { $0.isEmpty ? nil : Secret($0) }
        let token = AccessToken(value: Secret(value), grant: grant, lifetime: .seconds(expiresIn), obtainedAt: obtainedAt, obtainedAtUnix: obtainedAtUnix)
        return TokenGrantResult(accessToken: token, refreshToken: rotated)
    }

    package static func classify(failure response: HTTPResponse, grant: OAuthGrant) -> TokenError {
        let status = response.status
        let body = try? JSONCursor(JSONParser.parse(response.body))
        let code = (try? body?.optionalString("error")) ?? nil
        let detail = ((try? body?.optionalString("error_description")) ?? nil) ?? ((try? body?.optionalString("description")) ?? nil) ?? ""
        let said = detail.isEmpty ? "" : " (\(detail))"
        if status == 429 {
            let retryAfter = response.retryAfter
            return TokenError(reason: .rateLimited, message: "the token endpoint is rate limiting this client (HTTP 429)\(retryAfter.map { ", retry after \(Int($0.seconds)) s" } ?? "")", retryAfter: retryAfter)
        }
        if status >= 500 {
            return TokenError(reason: .serverError, message: "the token endpoint failed with HTTP \(status); Genesys Cloud may be degraded, will retry with backoff")
        }
        switch code {
        case "invalid_client":
            return TokenError(reason: .invalidClient, message: "the OAuth client id or secret was rejected (HTTP \(status) invalid_client\(said)): check GENESYS_CLIENT_ID and the client secret; the secret may have been rotated or the OAuth client deleted")
        case "unauthorized_client":
            return TokenError(reason: .unauthorizedClient, message: "the OAuth client may not use the \(grant.rawValue) grant (HTTP \(status) unauthorized_client\(said)): in Admin > OAuth, set the client's grant type to \(grant == .clientCredentials ? "Client Credentials" : "Code Authorization")")
        case "invalid_grant":
            return TokenError(reason: .invalidGrant, message: "the refresh token is no longer valid (HTTP \(status) invalid_grant\(said)): the user must re-authorize; put the new refresh token in GENESYS_REFRESH_TOKEN and delete the token cache file")
        default:
            return TokenError(reason: .httpError, message: "the token endpoint answered HTTP \(status)\(code.map { " \($0)" } ?? "")\(said)")
        }
    }

}

extension JSONParseError {
    /// jansson's message without its `near '…'` excerpt of the input, which can quote part of a token.
    var withoutExcerpt: String {
        let reason = text.range(of: " near '").map { String(text[..<$0.lowerBound]) } ?? text
        return "invalid JSON at line \(line), column \(column): \(reason)"
    }
}
