/// Why a token request failed (the `reason` label of `genesys_token_refresh_failures_total`).
package enum TokenFailureReason: String, Sendable, CaseIterable {
    case invalidClient = "invalid_client"
    case unauthorizedClient = "unauthorized_client"
    case invalidGrant = "invalid_grant"
    case rateLimited = "rate_limited"
    case serverError = "server_error"
    case httpError = "http_error"
    case network
    case timeout
    case malformedResponse = "malformed_response"
}

/// A failed token request with a message that says what to do. Never contains a secret.
package struct TokenError: Error, Equatable, CustomStringConvertible, Sendable {
    package let reason: TokenFailureReason
    package let message: String
    /// The server's Retry-After, when it sent one (429).
    package let retryAfter: Duration?

    package init(reason: TokenFailureReason, message: String, retryAfter: Duration? = nil) {
        self.reason = reason
        self.message = message
        self.retryAfter = retryAfter
    }

    package var description: String { "\(reason.rawValue): \(message)" }
}
