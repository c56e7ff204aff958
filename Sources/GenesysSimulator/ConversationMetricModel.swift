/// The conversation metrics beyond the queue service ones (transfers, hold, after-call work, talk, alert, not
/// responding, flow-out, voicemail, errors, callbacks, outbound, bots), with the same exactly-additive event-time
/// model as `AggregateModel`: each count is a per-mille share `floor(P * s / 1000)` of a monotone parent (one of
/// `AggregateModel`'s counts or another metric here), so it is monotone too and an interval's total is
/// `C(end) - C(start)`; a timer's sum over its first `N` events is `N * avg + f(N)` with `0 <= f < 1000 < avg`.
/// Outbound metrics belong to the `outbound` direction, every other one to `inbound`.
enum ConversationMetricModel {
    enum Parent: Sendable {
        case offered, answered, abandoned, handled
        case metric(String)
    }

    struct Definition: Sendable {
        let name: String
        let parent: Parent
        let perMille: ClosedRange<Int64>
        /// The average duration in milliseconds of a timer metric (`t…`); nil for a count (`n…`).
        let average: ClosedRange<Int64>?
        let direction: String
    }

    static let definitions: [Definition] = [
        Definition(name: "nTransferred", parent: .answered, perMille: 40...180, average: nil, direction: "inbound"),
        Definition(
            name: "nBlindTransferred", parent: .metric("nTransferred"), perMille: 200...450, average: nil,
            direction: "inbound"),
        Definition(
            name: "nConsultTransferred", parent: .metric("nTransferred"), perMille: 300...550, average: nil,
            direction: "inbound"),
        Definition(name: "nConsult", parent: .answered, perMille: 50...250, average: nil, direction: "inbound"),
        Definition(
            name: "tHeld", parent: .answered, perMille: 100...400, average: 20_000...120_000, direction: "inbound"),
        Definition(
            name: "tAcw", parent: .handled, perMille: 700...1000, average: 10_000...90_000, direction: "inbound"),
        Definition(
            name: "tTalk", parent: .answered, perMille: 950...1000, average: 60_000...400_000, direction: "inbound"),
        Definition(
            name: "tAlert", parent: .offered, perMille: 850...1000, average: 2_000...15_000, direction: "inbound"),
        Definition(
            name: "tNotResponding", parent: .offered, perMille: 5...60, average: 8_000...30_000, direction: "inbound"),
        Definition(
            name: "tFlowOut", parent: .offered, perMille: 5...40, average: 30_000...180_000, direction: "inbound"),
        Definition(
            name: "tVoicemail", parent: .abandoned, perMille: 20...150, average: 15_000...90_000, direction: "inbound"),
        Definition(name: "nError", parent: .offered, perMille: 0...8, average: nil, direction: "inbound"),
        Definition(name: "nCallbackScheduled", parent: .offered, perMille: 10...60, average: nil, direction: "inbound"),
        // Every scheduled callback is attempted at least once, some more often.
        Definition(
            name: "nCallbackAttempts", parent: .metric("nCallbackScheduled"), perMille: 1000...1800, average: nil,
            direction: "inbound"),
        Definition(
            name: "nOutboundAttempted", parent: .offered, perMille: 50...300, average: nil, direction: "outbound"),
        Definition(
            name: "nOutbound", parent: .metric("nOutboundAttempted"), perMille: 1000...1000, average: nil,
            direction: "outbound"),
        Definition(
            name: "nOutboundConnected", parent: .metric("nOutboundAttempted"), perMille: 500...900, average: nil,
            direction: "outbound"),
        Definition(
            name: "nOutboundAbandoned", parent: .metric("nOutboundConnected"), perMille: 0...80, average: nil,
            direction: "outbound"),
        Definition(name: "nBotInteractions", parent: .offered, perMille: 0...200, average: nil, direction: "inbound"),
    ]

    static let byName: [String: (index: Int, definition: Definition)] = Dictionary(
        uniqueKeysWithValues: definitions.enumerated().map { ($1.name, ($0, $1)) })

    static let directions = ["inbound", "outbound"]

    /// One metric's constants for a queue and media type, drawn from `StableHash`.
    private static func draw(
        _ profile: AggregateModel.Profile, _ index: Int, _ seed: Int, _ range: ClosedRange<Int64>
    )
        -> Int64
    {
        let width = UInt64(range.upperBound - range.lowerBound + 1)
        return range.lowerBound + Int64(StableHash.value(profile.queueIndex, profile.media, 0xE0 + index, seed) % width)
    }

    /// The metric's count of events at or before `t`; nil for a name not defined here.
    static func cumulative(_ name: String, at t: Int64, _ profile: AggregateModel.Profile) -> Int64? {
        guard let (index, definition) = byName[name] else { return nil }
        let parent: Int64
        switch definition.parent {
        case .offered: parent = AggregateModel.cumulative(at: t, profile).offered
        case .answered: parent = AggregateModel.cumulative(at: t, profile).answered
        case .abandoned: parent = AggregateModel.cumulative(at: t, profile).abandoned
        case .handled: parent = AggregateModel.cumulative(at: t, profile).handled
        case .metric(let other): parent = cumulative(other, at: t, profile) ?? 0
        }
        // Parents stay below 4.7e8 events (AggregateModel's bound), so the product stays far inside Int64.
        return parent * draw(profile, index, 1, definition.perMille) / 1000
    }

    /// A timer metric's average duration in milliseconds for the queue and media type; 0 for a count metric.
    static func average(_ name: String, _ profile: AggregateModel.Profile) -> Int64 {
        guard let (index, definition) = byName[name], let averages = definition.average else { return 0 }
        return draw(profile, index, 2, averages)
    }

    /// `S(N)` of a timer metric in milliseconds: 0 for a count metric.
    static func timerSum(_ name: String, count: Int64, _ profile: AggregateModel.Profile) -> Int64 {
        guard let (index, definition) = byName[name], definition.average != nil, count > 0 else { return 0 }
        let jitter = Int64(StableHash.value(profile.queueIndex, profile.media, 0xF0 + index, Int(count)) % 1000)
        return count * average(name, profile) + jitter
    }

    /// The smallest and largest single duration among events `first...last`: exact for up to 256 events, the
    /// model's bounds otherwise.
    static func timerRange(
        _ name: String, events: ClosedRange<Int64>, _ profile: AggregateModel.Profile
    )
        -> (min: Int64, max: Int64)
    {
        guard events.count <= 256 else {
            let average = average(name, profile)
            return (average - 999, average + 999)
        }
        var low = Int64.max
        var high = Int64.min
        for n in events {
            let duration = timerSum(name, count: n, profile) - timerSum(name, count: n - 1, profile)
            low = min(low, duration)
            high = max(high, duration)
        }
        return (low, high)
    }

    /// The metric's total over `[from, to)`: its count and, for a timer, its sum in milliseconds.
    static func totals(
        _ name: String, from: Int64, to: Int64, _ profile: AggregateModel.Profile
    )
        -> (count: Int64, sumMillis: Int64)?
    {
        guard let first = cumulative(name, at: from, profile), let last = cumulative(name, at: max(from, to), profile)
        else { return nil }
        return (last - first, timerSum(name, count: last, profile) - timerSum(name, count: first, profile))
    }
}
