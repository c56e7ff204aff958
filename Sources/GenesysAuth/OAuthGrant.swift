/// The OAuth2 grant the exporter logs in with.
package enum OAuthGrant: String, Sendable, CaseIterable {
    /// A client-credentials OAuth client: id and secret, no user.
    case clientCredentials = "client_credentials"
    /// An authorization-code client's user session, renewed with a rotating refresh token.
    case refreshToken = "refresh_token"
}

/// Why a token was obtained (the `reason` label of `genesys_token_refreshes_total`).
package enum TokenRefreshReason: String, Sendable, CaseIterable {
    case initial, scheduled, expired, unauthorized
}
