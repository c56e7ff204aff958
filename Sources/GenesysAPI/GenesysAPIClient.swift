import GenesysAuth
import GenesysBase
import GenesysHTTP
import GenesysJSON
import GenesysTelemetry
import Logging

/// A parsed API answer with the response it came from (status, headers, timing).
package struct APIResult: Sendable {
    package let json: JSONCursor
    package let response: HTTPResponse

    init(json: JSONCursor, response: HTTPResponse) {
        self.json = json
        self.response = response
    }

    /// An answer without a body (DELETE, HEAD): an empty object stands for it.
    package init(bodiless response: HTTPResponse) {
        // `{}` always parses.
        json = (try? JSONParser.document(Array("{}".utf8)))!
        self.response = response
    }
}

/// Calls the Genesys Cloud API with a valid token: a 401 invalidates that token and the call is
/// retried once with a new one. Every call is measured by endpoint template.
package final class GenesysAPIClient: Sendable {
    package let apiBaseURL: String
    package let tokens: TokenProvider
    /// The rate-limit headroom the last answer reported, for the poll loops' budget.
    package let rateLimit = RateLimitHeadroom()
    private let http: HTTPClient
    private let metrics: APIMetrics?
    private let logger: Logger
    private let timeout: Duration

    package init(
        apiBaseURL: String, tokens: TokenProvider, http: HTTPClient, metrics: APIMetrics? = nil,
        logger: Logger = Logger(label: "genesys.api"), timeout: Duration = .seconds(30)
    ) {
        self.apiBaseURL = apiBaseURL
        self.tokens = tokens
        self.http = http
        self.metrics = metrics
        self.logger = logger
        self.timeout = timeout
    }

    /// `pathParameters` fill the template's `{name}` parts.
    package func get(
        _ endpoint: Endpoint, pathParameters: [String: String] = [:], query: [(String, String)] = []
    ) async throws(APIError) -> APIResult {
        try await call(endpoint, path: endpoint.path(pathParameters), query: query, body: nil)
    }

    package func post(
        _ endpoint: Endpoint, pathParameters: [String: String] = [:], body: [UInt8]
    ) async throws(APIError) -> APIResult {
        try await call(endpoint, path: endpoint.path(pathParameters), query: [], body: body)
    }

    /// PUT with a JSON body (the method is the endpoint's: PUT or POST).
    package func put(
        _ endpoint: Endpoint, pathParameters: [String: String] = [:], body: [UInt8]
    ) async throws(APIError) -> APIResult {
        try await call(endpoint, path: endpoint.path(pathParameters), query: [], body: body)
    }

    /// A call whose answer has no body to read (DELETE, HEAD): only its status matters.
    package func perform(
        _ endpoint: Endpoint, pathParameters: [String: String] = [:]
    ) async throws(APIError) -> HTTPResponse {
        try await exchange(endpoint, path: endpoint.path(pathParameters), query: [], body: nil).response
    }

    private func call(
        _ endpoint: Endpoint, path: String, query: [(String, String)], body: [UInt8]?
    ) async throws(APIError) -> APIResult {
        let (response, correlationID) = try await exchange(endpoint, path: path, query: query, body: body)
        return try parse(endpoint, response, correlationID: correlationID)
    }

    /// Sends with a valid token (renewed and retried once on a 401) and refuses an answer that is not 2xx.
    private func exchange(
        _ endpoint: Endpoint, path: String, query: [(String, String)], body: [UInt8]?
    ) async throws(APIError) -> (response: HTTPResponse, correlationID: String?) {
        var url = apiBaseURL + path
        if !query.isEmpty {
            url += "?" + query.map { "\($0.0)=\(PercentEncoding.encode($0.1))" }.joined(separator: "&")
        }
        var attempt = 1
        while true {
            let token: AccessToken
            do { token = try await tokens.validToken() } catch {
                throw APIError(
                    endpoint: endpoint, reason: .unauthorized, message: "no access token: \(error.message)",
                    tokenError: error)
            }
            var headers = [("Authorization", "Bearer \(token.value.exposedValue)"), ("Accept", "application/json")]
            if body != nil { headers.append(("Content-Type", "application/json")) }
            let (response, window) = try await send(
                endpoint, HTTPRequest(method: endpoint.method, url: url, headers: headers, body: body, timeout: timeout)
            )
            if let window { rateLimit.record(count: window.count, allowed: window.allowed) }
            let correlationID = response.headers["ININ-Correlation-Id"].map { SafeExcerpt.of($0, limit: 80) }
            if response.status == 401 && attempt == 1 {
                // The token was revoked or expired early: replace it (once for all callers) and retry once.
                await tokens.invalidate(token)
                metrics?.recordRetry(endpoint, reason: "unauthorized")
                logger.info(
                    "API answered 401; renewing the token and retrying once",
                    metadata: [
                        "endpoint": "\(endpoint.template)", "token": "…\(token.value.fingerprint)",
                        "correlation_id": "\(correlationID ?? "-")",
                    ])
                attempt += 1
                continue
            }
            guard (200..<300).contains(response.status) else {
                throw fail(Self.classify(endpoint: endpoint, response: response, correlationID: correlationID))
            }
            return (response, correlationID)
        }
    }

    /// GET of an absolute URL on another host, without the org's token: for public pages such as Genesys' status
    /// page, which must never see the bearer token. The same HTTP client (TLS, CA file, response-size cap), timeout,
    /// `genesys_api_*` metrics by the endpoint's template and failure classification as `get`; no 401 retry (there
    /// is no token to renew) and no rate-limit bookkeeping (another host's budget).
    package func getPublic(_ endpoint: Endpoint, url: String) async throws(APIError) -> APIResult {
        let (response, _) = try await send(
            endpoint,
            HTTPRequest(
                method: endpoint.method, url: url, headers: [("Accept", "application/json")], body: nil,
                timeout: timeout))
        guard (200..<300).contains(response.status) else {
            throw fail(Self.classify(endpoint: endpoint, response: response, correlationID: nil))
        }
        return try parse(endpoint, response, correlationID: nil)
    }

    /// Sends one request and records its response; a transport failure is a counted failure. Also the rate-limit
    /// window the response's headers report, read once for the metrics and the caller.
    private func send(
        _ endpoint: Endpoint, _ request: HTTPRequest
    ) async throws(APIError) -> (HTTPResponse, (count: Double, allowed: Double)?) {
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            let reason: APIFailureReason =
                switch error {
                case .timeout: .timeout
                case .responseTooLarge: .malformedResponse  // an answer arrived, just not one the API sends
                default: .network
                }
            throw fail(APIError(endpoint: endpoint, reason: reason, message: "\(error)"))
        }
        let window = APIMetrics.rateLimit(response.headers)
        metrics?.recordResponse(endpoint, response, rateLimit: window)
        return (response, window)
    }

    /// A 2xx answer's JSON; a body that is not JSON (an HTML maintenance or proxy page) is `malformed_response`.
    private func parse(
        _ endpoint: Endpoint, _ response: HTTPResponse, correlationID: String?
    ) throws(APIError) -> APIResult {
        do {
            return APIResult(json: try JSONTape.document(response.body), response: response)
        } catch {
            throw fail(
                APIError(
                    endpoint: endpoint, reason: .malformedResponse, status: response.status,
                    message: "HTTP \(response.status) with a body that is not JSON: \(SafeExcerpt.of("\(error)"))",
                    correlationID: correlationID))
        }
    }

    /// Decodes a model from an API answer; a decoding error is a counted `malformed_response` failure naming the field.
    package func decode<T>(
        _ endpoint: Endpoint, _ result: APIResult, _ body: (JSONCursor) throws(JSONDecodingError) -> T
    ) throws(APIError) -> T {
        do {
            return try body(result.json)
        } catch {
            throw fail(
                APIError(
                    endpoint: endpoint, reason: .malformedResponse, status: result.response.status,
                    message: "unexpected response shape: \(error)",
                    correlationID: result.response.headers["ININ-Correlation-Id"].map { SafeExcerpt.of($0, limit: 80) })
            )
        }
    }

    /// Counts and logs a failure a collector found in an answer that arrived (an asynchronous query that failed or
    /// never completed), then hands it back to throw.
    package func failed(_ error: APIError) -> APIError { fail(error) }

    /// Counts and logs a failure, then hands it back to throw.
    private func fail(_ error: APIError) -> APIError {
        metrics?.recordFailure(error.endpoint, error.reason)
        logger.warning(
            "API request failed",
            metadata: [
                "endpoint": "\(error.endpoint.template)", "reason": "\(error.reason.rawValue)",
                "status": "\(error.status.map(String.init) ?? "-")",
                "correlation_id": "\(error.correlationID ?? "-")", "error": "\(error.message)",
            ])
        return error
    }

    package static func classify(endpoint: Endpoint, response: HTTPResponse, correlationID: String?) -> APIError {
        let status = response.status
        let answer = ErrorAnswer(body: response.body)
        // 400 characters: room for a list of missing permissions.
        let message = answer.message.map { SafeExcerpt.of($0, limit: 400) } ?? "HTTP \(status)"
        let code = answer.code.map { " [\(SafeExcerpt.of($0, limit: 80))]" } ?? ""
        let reason: APIFailureReason
        switch status {
        case 401: reason = .unauthorized
        case 403: reason = .forbidden
        case 404: reason = .notFound
        case 429: reason = .rateLimited
        case 400..<500: reason = .clientError
        case 500...: reason = .serverError
        default: reason = .clientError
        }
        return APIError(
            endpoint: endpoint, reason: reason, status: status, message: "HTTP \(status)\(code): \(message)",
            correlationID: correlationID, retryAfter: response.retryAfter)
    }
}
