import FoundationEssentials
import Glibc
import NIOCore

/// `POST /oauth/token` on the login host: client-credentials and refresh-token grants.
enum OAuthRoutes {
    static let path = "/oauth/token"

    /// The label a token request is counted under in `SimulatorCounters.tokenRequests`.
    static func grantLabel(_ request: SimulatorRequest) -> String {
        switch request.formFields["grant_type"] {
        case "client_credentials": "client_credentials"
        case "refresh_token": "refresh_token"
        default: "invalid"
        }
    }

    static func handle(_ request: SimulatorRequest, state: inout SimulatorState, now: NIODeadline) -> SimulatorResponse
    {
        guard request.method == "POST" else {
            return ErrorBodies.methodNotAllowed(method: request.method, allowed: "POST")
        }
        guard let (clientID, secret) = basicCredentials(request.headers.first(name: "Authorization")) else {
            return ErrorBodies.oauth(401, error: "invalid_client", description: "client authentication required")
        }
        guard clientID == state.configuration.clientID else {
            return ErrorBodies.oauth(400, error: "invalid_client", description: "client not found")
        }
        guard secret == state.configuration.clientSecret else {
            return ErrorBodies.oauth(401, error: "invalid_client", description: "authentication failed")
        }
        let form = request.formFields
        switch form["grant_type"] {
        case "client_credentials":
            let issued = state.issueAccessToken(for: .client, now: now)
            return tokenResponse(accessToken: issued.token, expiresIn: issued.expiresIn, refreshToken: nil)
        case "refresh_token":
            guard let refreshToken = form["refresh_token"], state.redeemRefreshToken(refreshToken) else {
                return ErrorBodies.oauth(400, error: "invalid_grant", description: "invalid refresh token")
            }
            let issued = state.issueAccessToken(for: .user, now: now)
            return tokenResponse(
                accessToken: issued.token, expiresIn: issued.expiresIn,
                refreshToken: state.issueRefreshToken())
        default:
            return ErrorBodies.oauth(
                400, error: "unauthorized_client",
                description: "the client is not authorized to use this grant type")
        }
    }

    private static func tokenResponse(accessToken: String, expiresIn: Int, refreshToken: String?) -> SimulatorResponse {
        var body: [String: Any] = [
            "access_token": accessToken,
            "token_type": "bearer",
            "expires_in": expiresIn,
        ]
        if let refreshToken { body["refresh_token"] = refreshToken }
        return .json(200, body, headers: [("Cache-Control", "no-store"), ("Pragma", "no-cache")])
    }

    /// A token response body with `expires_in` replaced by raw JSON text (which may be any JSON value, or none).
    static func replacingExpiresIn(of body: [UInt8], with rawJSON: String) -> [UInt8] {
        guard var object = JSONBody.decode(body) as? [String: Any] else { return body }
        let placeholder = "expires-in-placeholder-\(RandomToken.make(length: 16))"
        object["expires_in"] = placeholder
        let text = String(decoding: JSONBody.encode(object), as: UTF8.self)
        return Array(text.replacing("\"\(placeholder)\"", with: rawJSON).utf8)
    }

    /// `Authorization: Basic base64(id:secret)` → (id, secret); nil when missing or garbled.
    static func basicCredentials(_ header: String?) -> (String, String)? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
            let data = Data(base64Encoded: String(parts[1].trimmingSpaces())),
            let decoded = String(data: data, encoding: .utf8),
            let colon = decoded.firstIndex(of: ":")
        else { return nil }
        return (String(decoded[..<colon]), String(decoded[decoded.index(after: colon)...]))
    }
}
