/// A way for the simulator to misbehave on requests matching a fault rule.
package enum SimulatorFault: Sendable, Equatable {
    /// Reply with this status and a realistic Genesys error body (an OAuth error body on `/oauth/token`).
    case status(Int, retryAfter: Int? = nil)
    /// Like `status`, with `Retry-After` set to this text as is: delta-seconds, an HTTP-date (see `IMFFixdate`),
    /// or anything a broken proxy might send (`-1`, `1e300`, `soon`).
    case statusWithRawRetryAfter(Int, retryAfter: String)
    /// The login service's rate limit in the shape it often uses instead of 429: HTTP 400
    /// `{"error":"invalid_request","description":"rate limit exceeded; retry later"}`. On an API path, the
    /// Platform API's own rate limit: 429 `too.many.requests` with `Retry-After: 1`.
    case loginRateLimited
    /// Reply 200 with a truncated, invalid JSON body.
    case malformedBody
    /// The normal reply with its body cut to the first half: a complete HTTP message whose JSON ends early.
    case truncatedBody
    /// Reply 200 with `Content-Type: text/html` and an HTML page, as a captive portal or a corporate proxy does.
    case htmlPage
    /// The normal reply with its JSON padded by trailing whitespace to at least this many bytes (still valid JSON).
    case oversizedBody(bytes: Int)
    /// The normal reply's head at once, then its body `chunkBytes` at a time, one chunk every `every`
    /// (scheduled on the event loop, never slept).
    case drip(chunkBytes: Int, every: Duration)
    /// On `/oauth/token`: the normal token response with `expires_in` replaced by this raw JSON text
    /// (`0`, `-60`, `1e12`, `"3600"`); the token itself stays valid for the configured TTL. Elsewhere: no effect.
    case tokenExpiresIn(rawJSON: String)
    /// Revokes every access token issued so far (as a logout or a client reset does), then handles the request,
    /// which therefore answers 401 `bad.credentials` if it carried one of them.
    case revokeTokens
    /// Close the connection abruptly (TCP RST via SO_LINGER 0) without any response.
    case connectionReset
    /// Never answer; the connection stays open until the client gives up or the simulator shuts down.
    case hang
    /// Answer normally after this delay (scheduled on the event loop, not slept).
    case delay(Duration)
}

/// One fault switch: which requests it matches and how many more it may take.
struct FaultRule: Sendable {
    let fault: SimulatorFault
    /// Exact request path (no query) or route template, or a prefix ending in `*`.
    let path: String
    /// Upper-cased method, or nil for any method.
    let method: String?
    /// Query parameters the request must carry with exactly these values (empty: any query).
    let query: [String: String]
    /// Requests left before the rule is used up; nil means until cleared.
    var remaining: Int?

    /// `routePath` is the request's route template (`…/{queueId}/…`) or its path: a rule may name either.
    func matches(_ request: SimulatorRequest, routePath: String) -> Bool {
        if let method, method != request.method.uppercased() { return false }
        if !query.allSatisfy({ request.query[$0.key] == $0.value }) { return false }
        if self.path.hasSuffix("*") {
            return request.path.hasPrefix(self.path.dropLast()) || routePath.hasPrefix(self.path.dropLast())
        }
        return request.path == self.path || routePath == self.path
    }
}

/// The ordered fault rules; the first matching rule wins and a counted rule is consumed per request.
struct FaultBook: Sendable {
    private var rules: [FaultRule] = []

    mutating func add(_ fault: SimulatorFault, path: String, method: String?, query: [String: String], count: Int?) {
        if let count, count <= 0 { return }
        rules.append(FaultRule(fault: fault, path: path, method: method?.uppercased(), query: query, remaining: count))
    }

    mutating func clear() {
        rules.removeAll()
    }

    /// Whether a rule matches this request (nothing consumed).
    func matches(_ request: SimulatorRequest, routePath: String) -> Bool {
        rules.contains { $0.matches(request, routePath: routePath) }
    }

    /// The fault for this request, if any, consuming one use of a counted rule.
    mutating func take(_ request: SimulatorRequest, routePath: String) -> SimulatorFault? {
        guard let index = rules.firstIndex(where: { $0.matches(request, routePath: routePath) }) else { return nil }
        let fault = rules[index].fault
        if let remaining = rules[index].remaining {
            if remaining <= 1 {
                rules.remove(at: index)
            } else {
                rules[index].remaining = remaining - 1
            }
        }
        return fault
    }
}
