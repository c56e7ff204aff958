/// A simulated Architect flow as the flow listing serves it.
package struct SimulatedFlow: Sendable, Equatable {
    package let id: String
    package let name: String
    /// The flow's `type` as the listing sends it (an SDK `Flow.type` value unless a test set another).
    package let type: String
}

/// Totals of one flow over an interval, as the flow aggregates query counts them.
package struct SimulatedFlowAggregate: Sendable, Equatable {
    /// `nFlow`: conversations that entered the flow.
    package var entered: Int64 = 0
    /// `nFlowOutcome`: flow outcomes reached.
    package var outcomes: Int64 = 0
    /// `nFlowOutcomeFailed`: outcomes that failed (a part of `outcomes`).
    package var failedOutcomes: Int64 = 0
    /// `tFlowDisconnect`'s count: conversations that disconnected in the flow.
    package var disconnects: Int64 = 0
    /// `tFlowExit`'s count: conversations that left the flow (to a queue, a transfer, another flow).
    package var exits: Int64 = 0
    /// `tFlowDisconnect`'s sum in milliseconds.
    package var disconnectMillis: Int64 = 0
    /// `tFlowExit`'s sum in milliseconds.
    package var exitMillis: Int64 = 0
}

/// The org's flows: flow `i` always has the same id, name and type; a test may change a type (`typeOverrides`).
struct FlowCatalog: Sendable {
    static let maximumCount = 10_000
    /// Types the catalog cycles through (values of the SDK's `Flow.type`).
    static let types = [
        "INBOUNDCALL", "INQUEUECALL", "INBOUNDCHAT", "INBOUNDEMAIL", "INBOUNDSHORTMESSAGE", "OUTBOUNDCALL", "BOT",
        "WORKFLOW", "INQUEUEEMAIL", "COMMONMODULE", "SECURECALL", "VOICEMAIL",
    ]
    private static let purposes = ["Main IVR", "Queue Music", "Chat Entry", "Email Routing", "SMS Entry", "Outbound"]
    /// Index of the flow whose name holds a double quote, a backslash and a non-ASCII character.
    static let awkwardNameIndex = 1

    let count: Int
    var typeOverrides: [Int: String] = [:]
    private let indexByID: [String: Int]

    init(count: Int) {
        self.count = min(max(count, 0), Self.maximumCount)
        indexByID = Dictionary(uniqueKeysWithValues: (0..<self.count).map { (Self.id($0), $0) })
    }

    func index(ofID id: String) -> Int? { indexByID[id] }

    static func id(_ index: Int) -> String { TelephonyCatalog.uuid(0xF10, index) }

    static func name(_ index: Int) -> String {
        let number = String(index + 1).leftPadded(to: 3)
        if index == awkwardNameIndex { return "Support \"After Hours\" \\ Zürich \(number)" }
        return "\(purposes[index % purposes.count]) \(number)"
    }

    func flow(_ index: Int) -> SimulatedFlow {
        SimulatedFlow(
            id: Self.id(index), name: Self.name(index),
            type: typeOverrides[index] ?? Self.types[index % Self.types.count])
    }

    /// The flow as `GET /api/v2/flows` lists it (the SDK's `Flow`).
    func object(_ index: Int) -> [String: Any] {
        let flow = flow(index)
        return [
            "id": flow.id, "name": flow.name, "type": flow.type, "division": IdentityRoutes.division,
            "description": "Simulated flow \(index + 1)", "active": true, "system": false, "deleted": false,
            "selfUri": "/api/v2/flows/\(flow.id)",
        ]
    }
}

/// The event-time model behind the flow aggregates, closed-form and exactly additive like `AggregateModel`:
/// entries `F(t) = (t - epoch) * rate / 1_000_000`; outcomes, disconnects and exits are per-mille shares of `F`
/// (exits of what did not disconnect), failed outcomes a share of outcomes; each timer's sum over its first `N`
/// events is `S(N) = N * avg + f(N)` with `0 <= f < 1000 < avg`. An interval's total is `C(end) - C(start)`.
enum FlowModel {
    enum Timer: Int, Sendable {
        case disconnect = 1
        case exit
    }

    /// The constants of one flow, drawn from `StableHash`.
    struct Profile: Sendable {
        let index: Int
        let entryRate: Int64
        let outcomePerMille: Int64
        let failedPerMille: Int64
        let disconnectPerMille: Int64
        let exitPerMille: Int64
        let disconnectAverage: Int64
        let exitAverage: Int64

        init(index: Int) {
            func draw(_ seed: Int, _ range: ClosedRange<Int64>) -> Int64 {
                let width = UInt64(range.upperBound - range.lowerBound + 1)
                return range.lowerBound + Int64(StableHash.value(0xF1, index, seed) % width)
            }
            self.index = index
            entryRate = draw(0, 5...150)
            outcomePerMille = draw(1, 300...900)
            failedPerMille = draw(2, 20...250)
            disconnectPerMille = draw(3, 100...500)
            exitPerMille = draw(4, 800...1000)
            disconnectAverage = draw(5, 20_000...180_000)
            exitAverage = draw(6, 10_000...120_000)
        }
    }

    struct Cumulative: Sendable {
        var entered: Int64 = 0
        var outcomes: Int64 = 0
        var failedOutcomes: Int64 = 0
        var disconnects: Int64 = 0
        var exits: Int64 = 0
    }

    static func cumulative(at t: Int64, _ profile: Profile) -> Cumulative {
        var c = Cumulative()
        c.entered = AggregateModel.events(at: t, rate: profile.entryRate)
        c.outcomes = c.entered * profile.outcomePerMille / 1000
        c.failedOutcomes = c.outcomes * profile.failedPerMille / 1000
        c.disconnects = c.entered * profile.disconnectPerMille / 1000
        c.exits = (c.entered - c.disconnects) * profile.exitPerMille / 1000
        return c
    }

    static func timerSum(_ timer: Timer, count: Int64, _ profile: Profile) -> Int64 {
        let average = timer == .disconnect ? profile.disconnectAverage : profile.exitAverage
        guard count > 0 else { return 0 }
        return count * average + Int64(StableHash.value(0xF2, profile.index, timer.rawValue, Int(count)) % 1000)
    }

    static func totals(from: Int64, to: Int64, _ profile: Profile) -> SimulatedFlowAggregate {
        let a = cumulative(at: from, profile)
        let b = cumulative(at: max(from, to), profile)
        return SimulatedFlowAggregate(
            entered: b.entered - a.entered, outcomes: b.outcomes - a.outcomes,
            failedOutcomes: b.failedOutcomes - a.failedOutcomes, disconnects: b.disconnects - a.disconnects,
            exits: b.exits - a.exits,
            disconnectMillis: timerSum(.disconnect, count: b.disconnects, profile)
                - timerSum(.disconnect, count: a.disconnects, profile),
            exitMillis: timerSum(.exit, count: b.exits, profile) - timerSum(.exit, count: a.exits, profile))
    }
}

extension AggregateModel {
    /// Events of a stream at `rate` per 1000 s up to `t` (clamped to the epoch and the horizon, so products stay
    /// far inside Int64: at most 2.4e12 ms * rate 200).
    static func events(at t: Int64, rate: Int64) -> Int64 {
        (min(max(t, epochMillis), horizonMillis) - epochMillis) * rate / rateUnitMillis
    }
}
