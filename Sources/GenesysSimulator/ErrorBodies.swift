import FoundationEssentials
import Glibc

/// Error replies shaped like the real Platform API and login service.
enum ErrorBodies {
    /// `{"message","code","status","contextId","details":[],"errors":[]}` as the Platform API sends it.
    static func api(_ status: Int, code: String, message: String, headers: [(String, String)] = []) -> SimulatorResponse
    {
        .json(
            status,
            [
                "message": message,
                "code": code,
                "status": status,
                "contextId": UUID().uuidString.lowercased(),
                "details": [Any](),
                "errors": [Any](),
            ], headers: headers)
    }

    /// `{"error","description","error_description"}` as the login service sends it.
    static func oauth(
        _ status: Int, error: String, description: String, headers: [(String, String)] = []
    ) -> SimulatorResponse {
        .json(
            status,
            [
                "error": error,
                "description": description,
                "error_description": description,
            ], headers: headers)
    }

    static func notFound(path: String) -> SimulatorResponse {
        api(404, code: "not.found", message: "The requested resource could not be found: \(path)")
    }

    static func methodNotAllowed(method: String, allowed: String) -> SimulatorResponse {
        api(
            405, code: "method.not.allowed", message: "HTTP method \(method) is not supported by this resource.",
            headers: [("Allow", allowed)])
    }

    static func badRequest(_ message: String) -> SimulatorResponse {
        api(400, code: "bad.request", message: message)
    }

    static func missingPermission(_ permission: String) -> SimulatorResponse {
        api(403, code: "missing.permissions", message: "You are missing the following permission(s): \(permission)")
    }

    static func tooManyRequests(retryAfter: Int) -> SimulatorResponse {
        api(
            429, code: "too.many.requests",
            message: "Rate limit exceeded the maximum. Retry the request in [\(retryAfter)] seconds",
            headers: [("Retry-After", String(retryAfter))])
    }

    /// The login service's rate limit as it answers when a client asks for tokens too often (besides 429).
    static func loginRateLimited() -> SimulatorResponse {
        oauth(400, error: "invalid_request", description: "rate limit exceeded; retry later")
    }

    /// What a captive portal or corporate proxy answers in place of the API: 200 and an HTML page.
    static func proxyPage() -> SimulatorResponse {
        let html = """
            <!DOCTYPE html>
            <html><head><title>Web Page Blocked</title></head>
            <body><h1>Access to this site is blocked</h1>
            <p>The page you requested is not allowed by your organization's web gateway policy.</p>
            <p>Reference: 7f3a9c21</p></body></html>
            """
        return SimulatorResponse(
            status: 200, headers: [("Content-Type", "text/html; charset=utf-8")], body: Array(html.utf8))
    }

    /// The API error body an injected `.status` fault answers with; `retryAfter` is sent as is.
    static func apiFault(_ status: Int, retryAfter: String?) -> SimulatorResponse {
        let seconds = retryAfter.flatMap { Int($0) }.map { max(0, $0) } ?? 1
        let (code, message): (String, String) =
            switch status {
            case 400: ("bad.request", "The request could not be understood by the server due to malformed syntax.")
            case 401: ("bad.credentials", "Invalid login credentials.")
            case 403: ("not.authorized", "You are not authorized to perform the requested action.")
            case 404: ("not.found", "The requested resource was not found.")
            case 408: ("request.timeout", "The client did not produce a request within the server timeout limit.")
            case 429:
                ("too.many.requests", "Rate limit exceeded the maximum. Retry the request in [\(seconds)] seconds")
            case 500:
                (
                    "internal.server.error",
                    "The server encountered an unexpected condition which prevented it from fulfilling the request."
                )
            case 502:
                (
                    "bad.gateway",
                    "The server is acting as a gateway or proxy and received an invalid response from the upstream server."
                )
            case 503:
                (
                    "service.unavailable",
                    "Service Unavailable - The server is currently unavailable (because it is overloaded or down for maintenance)."
                )
            case 504: ("gateway.timeout", "The request timed out.")
            default: ("error", "Simulated error \(status).")
            }
        return api(status, code: code, message: message, headers: retryAfterHeader(retryAfter))
    }

    /// The OAuth error body an injected `.status` fault on `/oauth/token` answers with; `retryAfter` is sent as is.
    static func oauthFault(_ status: Int, retryAfter: String?) -> SimulatorResponse {
        let (error, description): (String, String) =
            switch status {
            case 400: ("invalid_request", "invalid request")
            case 401: ("invalid_client", "authentication failed")
            case 429: ("too_many_requests", "rate limit exceeded")
            case 500...599: ("server_error", "the server encountered an unexpected condition")
            default: ("server_error", "simulated error \(status)")
            }
        return oauth(status, error: error, description: description, headers: retryAfterHeader(retryAfter))
    }

    private static func retryAfterHeader(_ value: String?) -> [(String, String)] {
        value.map { [("Retry-After", $0)] } ?? []
    }
}
