/// Why an API call failed (the `reason` label of `genesys_api_failures_total`).
public enum APIFailureReason: String, Sendable, CaseIterable {
    case unauthorized, forbidden
    case notFound = "not_found"
    case rateLimited = "rate_limited"
    case clientError = "client_error"
    case serverError = "server_error"
    case network, timeout
    case malformedResponse = "malformed_response"
}

/// A failed API call, with what Genesys said and the correlation id support asks for.
public struct APIError: Error, CustomStringConvertible, Sendable {
    public let endpoint: Endpoint
    public let reason: APIFailureReason
    public let status: Int?
    public let message: String
    public let correlationID: String?
    public let retryAfter: Duration?
    /// Set when the failure was getting a token, not the call itself.
    public let tokenError: TokenError?

    public init(
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

    public var description: String {
        var text = "\(endpoint.method) \(endpoint.template): \(message)"
        if let correlationID { text += " (correlation id \(correlationID))" }
        return text
    }

    /// The permission Genesys says is missing, for a 403 `missing.permissions`.
    public var missingPermission: String? {
        guard reason == .forbidden, let range = message.range(of: "permission(s): ") else { return nil }
        return String(message[range.upperBound...]).trimming(" .")
    }
}
