/// A fuzz target: one parser that sees bytes from outside (the network, a file, the environment, a scraper).
/// `name` is also the folder of its seed corpus, `Fuzz/corpus/<name>/`.
package struct FuzzTarget: Sendable {
    package let name: String
    /// What the input bytes are, for the README and `scripts/fuzz`.
    package let input: String
    /// Runs one input. Returns normally for every input; a trap (a crash, or a broken invariant via
    /// `FuzzTargets.require`) is the finding.
    package let run: @Sendable ([UInt8]) -> Void
}

/// Every fuzz target, in the order `scripts/fuzz` runs them. The libFuzzer driver (`Fuzz/Driver`) picks one by
/// name; `FuzzCorpusReplayTests` replays the committed corpus through the same functions in `swift test`.
package enum FuzzTargets {
    package static let all: [FuzzTarget] = [
        FuzzTarget(name: "token-response", input: "body of a 200 from POST /oauth/token", run: JSONModelTargets.tokenResponse),
        FuzzTarget(name: "token-error", input: "raw HTTP response (status line, headers, body) of a failed token request", run: ErrorResponseTargets.tokenError),
        FuzzTarget(name: "api-error", input: "raw HTTP response (status line, headers, body) of a failed API call", run: ErrorResponseTargets.apiError),
        FuzzTarget(name: "queue-page", input: "body of GET /api/v2/routing/queues", run: JSONModelTargets.queuePage),
        FuzzTarget(name: "observations", input: "body of POST /api/v2/analytics/queues/observations/query", run: JSONModelTargets.observations),
        FuzzTarget(name: "tokens-me", input: "body of GET /api/v2/tokens/me", run: JSONModelTargets.tokensMe),
        FuzzTarget(name: "organizations-me", input: "body of GET /api/v2/organizations/me", run: JSONModelTargets.organizationsMe),
        FuzzTarget(name: "users-me", input: "body of GET /api/v2/users/me", run: JSONModelTargets.usersMe),
        FuzzTarget(name: "token-cache", input: "contents of the --token.cache-file, loaded as at start-up", run: TokenCacheTarget.load),
        FuzzTarget(name: "retry-after", input: "a Retry-After header value", run: ErrorResponseTargets.retryAfter),
        FuzzTarget(name: "response-headers", input: "response header block as libcurl hands it over, line by line", run: ErrorResponseTargets.headers),
        FuzzTarget(name: "env-file", input: "a .env file", run: ConfigTargets.envFile),
        FuzzTarget(name: "duration", input: "a duration setting (--poll.interval etc.)", run: ConfigTargets.duration),
        FuzzTarget(name: "url", input: "API URL, optionally a newline and the login URL", run: ConfigTargets.url),
        FuzzTarget(name: "metrics-request", input: "raw bytes a scraper sends to the metrics server", run: ServerTargets.metricsRequest),
    ]

    package static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }

    /// A broken invariant: traps, so libFuzzer records the input as a crash.
    static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError("fuzz invariant broken: \(message())") }
    }
}
