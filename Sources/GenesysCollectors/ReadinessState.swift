import GenesysAuth
/// Tracks the first poll of each collector for `/-/ready`.
import GenesysTelemetry

package struct ReadinessState: Sendable {
    package var pending: Set<String> = []
    var anySucceeded = false
    var lastFailure: String?

    package init(pending: Set<String> = []) { self.pending = pending }

    package mutating func finished(_ collector: String, failure: String?) {
        pending.remove(collector)
        if failure == nil { anySucceeded = true }
        // Served on /-/ready: upstream text in it is stripped like every response excerpt.
        lastFailure = failure.map { SafeExcerpt.of($0, limit: 1000) } ?? lastFailure
    }

    package var status: (ready: Bool, reason: String) {
        if !pending.isEmpty {
            return (
                false,
                "waiting for the first poll of: \(pending.sorted().joined(separator: ", "))"
                    + (lastFailure.map { " (last error: \($0))" } ?? "")
            )
        }
        if !anySucceeded { return (false, "no collector has succeeded yet: \(lastFailure ?? "unknown error")") }
        return (true, "ready")
    }
}
