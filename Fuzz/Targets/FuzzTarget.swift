import GenesysExporter

/// A fuzz target: one parser that sees bytes from outside (the network, a file, the environment, a scraper).
/// `name` is also the folder of its seed corpus, `Fuzz/corpus/<name>/`; Fuzz/README.md says what the bytes are.
package struct FuzzTarget: Sendable {
    package let name: String
    /// Runs one input. Returns normally for every input; a trap (a crash, or a broken invariant via
    /// `FuzzTargets.require`) is the finding.
    package let run: @Sendable ([UInt8]) -> Void
}

/// Every fuzz target, in the order `scripts/fuzz` runs them. The libFuzzer driver (`Fuzz/Driver`) picks one by
/// name; `FuzzCorpusReplayTests` replays the committed corpus through the same functions in `swift test`.
package enum FuzzTargets {
    /// The decoders of every endpoint a collector calls (declared beside the endpoint), then the other parsers.
    package static let all: [FuzzTarget] =
        answerDecoders + [
            FuzzTarget(name: "token-response", run: JSONModelTargets.tokenResponse),  // 200 body of POST /oauth/token
            FuzzTarget(name: "token-error", run: ErrorResponseTargets.tokenError),  // raw HTTP response of a failed one
            // The raw HTTP response of a failed API call.
            FuzzTarget(name: "api-error", run: ErrorResponseTargets.apiError),
            FuzzTarget(name: "timestamp", run: JSONModelTargets.timestamp),  // an observationDate
            FuzzTarget(name: "notification", run: JSONModelTargets.notification),  // a notification socket's text frame
            FuzzTarget(name: "json-tape", run: JSONModelTargets.jsonTape),  // any bytes: the tape against jansson
            FuzzTarget(name: "token-cache", run: TokenCacheTarget.load),  // the --token.cache-file, loaded at start-up
            FuzzTarget(name: "retry-after", run: ErrorResponseTargets.retryAfter),  // one Retry-After value
            FuzzTarget(name: "response-headers", run: ErrorResponseTargets.headers),  // a header block, line by line
            FuzzTarget(name: "env-file", run: ConfigTargets.envFile),
            FuzzTarget(name: "duration", run: ConfigTargets.duration),
            FuzzTarget(name: "url", run: ConfigTargets.url),  // API URL, optionally a newline and the login URL
            FuzzTarget(name: "metrics-request", run: ServerTargets.metricsRequest),  // raw bytes from a scraper
            FuzzTarget(name: "accept", run: ServerTargets.accept),  // a scraper's Accept header value
            FuzzTarget(name: "web-config", run: ConfigTargets.webConfig),  // the --web.config.file YAML
            FuzzTarget(name: "orgs-file", run: ConfigTargets.orgsFile),  // the --config.file YAML (multi-org)
            FuzzTarget(name: "time-zone", run: ConfigTargets.timeZone),  // a zoneinfo (TZif) file under $TZDIR
        ]

    /// One target per answer decoder of the registry's endpoints, named by the decoder: a new collector's endpoint
    /// brings its target with it, and only its corpus folder is added by hand.
    /// One target per decoder: endpoints with the same answer shape share a decoder and its target.
    static let answerDecoders: [FuzzTarget] = {
        var seen: Set<String> = []
        return CollectorRegistry.endpoints.compactMap { endpoint in
            guard let decoder = endpoint.answer, seen.insert(decoder.fuzzName).inserted else { return nil }
            return FuzzTarget(name: decoder.fuzzName) { data in JSONModelTargets.answer(data, decoder) }
        }
    }()

    package static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }

    /// A broken invariant: traps, so libFuzzer records the input as a crash.
    static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError("fuzz invariant broken: \(message())") }
    }
}
