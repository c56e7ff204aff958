import GenesysAuth
/// Why an API call failed (the `reason` label of `genesys_api_failures_total`).
import GenesysHTTP

package enum APIFailureReason: String, Sendable, CaseIterable {
    case unauthorized, forbidden
    case notFound = "not_found"
    case rateLimited = "rate_limited"
    case clientError = "client_error"
    case serverError = "server_error"
    case network, timeout
    case malformedResponse = "malformed_response"
    /// An asynchronous query (API usage) whose result never completed within its bound.
    case incomplete
}

/// A failed API call, with what Genesys said and the correlation id support asks for.
package struct APIError: Error, CustomStringConvertible, Sendable {
    package let endpoint: Endpoint
    package let reason: APIFailureReason
    package let status: Int?
    package let message: String
    package let correlationID: String?
    package let retryAfter: Duration?
    /// Set when the failure was getting a token, not the call itself.
    package let tokenError: TokenError?

    package init(
        endpoint: Endpoint, reason: APIFailureReason, status: Int? = nil, message: String, correlationID: String? = nil,
        retryAfter: Duration? = nil, tokenError: TokenError? = nil
    ) {
        self.endpoint = endpoint
        self.reason = reason
        self.status = status
        self.message = message
        self.correlationID = correlationID
        self.retryAfter = retryAfter
        self.tokenError = tokenError
    }

    package var description: String {
        var text = "\(endpoint.method) \(endpoint.template): \(message)"
        if let correlationID { text += " (correlation id \(correlationID))" }
        return text
    }

    /// The permission Genesys says is missing, for a 403 `missing.permissions`.
    package var missingPermission: String? {
        guard reason == .forbidden, let range = message.firstRange(of: "permission(s): ") else { return nil }
        return String(message[range.upperBound...]).trimming(" .")
    }
}
