/// A way for the simulator to misbehave on requests matching a fault rule.
public enum SimulatorFault: Sendable, Equatable {
    /// Reply with this status and a realistic Genesys error body (an OAuth error body on `/oauth/token`).
    case status(Int, retryAfter: Int? = nil)
    /// Reply 200 with a truncated, invalid JSON body.
    case malformedBody
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
    /// Exact request path (no query), or a prefix ending in `*`.
    let path: String
    /// Upper-cased method, or nil for any method.
    let method: String?
    /// Requests left before the rule is used up; nil means until cleared.
    var remaining: Int?

    func matches(path requestPath: String, method requestMethod: String) -> Bool {
        if let method, method != requestMethod.uppercased() { return false }
        if self.path.hasSuffix("*") {
            return requestPath.hasPrefix(self.path.dropLast())
        }
        return requestPath == self.path
    }
}

/// The ordered fault rules; the first matching rule wins and a counted rule is consumed per request.
struct FaultBook: Sendable {
    private var rules: [FaultRule] = []

    mutating func add(_ fault: SimulatorFault, path: String, method: String?, count: Int?) {
        if let count, count <= 0 { return }
        rules.append(FaultRule(fault: fault, path: path, method: method?.uppercased(), remaining: count))
    }

    mutating func clear() {
        rules.removeAll()
    }

    /// The fault for this request, if any, consuming one use of a counted rule.
    mutating func take(path: String, method: String) -> SimulatorFault? {
        guard let index = rules.firstIndex(where: { $0.matches(path: path, method: method) }) else { return nil }
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
