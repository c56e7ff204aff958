/// A simulated data action as the action listing serves it.
package struct SimulatedAction: Sendable, Equatable {
    package let id: String
    package let name: String
}

/// Totals of one data action over an interval, as the action aggregates query counts them (`tTotalExecution`).
package struct SimulatedActionAggregate: Sendable, Equatable {
    /// Every execution (successful and failed).
    package var executions: Int64 = 0
    /// The executions' summed duration in milliseconds.
    package var executionMillis: Int64 = 0
    /// Failed executions by `errorType`.
    package var errors: [String: Int64] = [:]
}

/// The org's data actions: action `i` always has the same id and name. `errorTypes` are the `errorType` values its
/// failures are grouped by (a test may set any text, to try values Genesys may add or a hostile server sends).
struct ActionCatalog: Sendable {
    static let maximumCount = 10_000
    /// The SDK lists no `errorType` values; these are made up.
    static let defaultErrorTypes = ["TIMEOUT", "REMOTE_ERROR"]
    private static let names = ["Lookup Customer", "Create Ticket", "Check Balance", "Send SMS", "Verify PIN"]

    let count: Int
    var errorTypes = ActionCatalog.defaultErrorTypes
    /// The listing's own `pageSize` limit, below the simulator's (`setActionListingMaxPageSize`).
    var maxPageSize: Int?
    private let indexByID: [String: Int]

    init(count: Int) {
        self.count = min(max(count, 0), Self.maximumCount)
        indexByID = Dictionary(uniqueKeysWithValues: (0..<self.count).map { (Self.id($0), $0) })
    }

    func index(ofID id: String) -> Int? { indexByID[id] }

    /// Custom actions' ids look like `custom_-_<uuid>`.
    static func id(_ index: Int) -> String { "custom_-_" + TelephonyCatalog.uuid(0xA10, index) }
    static func integrationID(_ index: Int) -> String { TelephonyCatalog.uuid(0xA11, index % 2) }

    static func action(_ index: Int) -> SimulatedAction {
        SimulatedAction(
            id: id(index), name: "\(names[index % names.count]) \(String(index + 1).leftPadded(to: 3))")
    }

    /// The action as `GET /api/v2/integrations/actions` lists it (the SDK's `Action`).
    static func object(_ index: Int) -> [String: Any] {
        let action = action(index)
        return [
            "id": action.id, "name": action.name, "integrationId": integrationID(index),
            "category": index % 2 == 0 ? "Web Services" : "CRM", "version": 1 + index % 3, "secure": false,
            "selfUri": "/api/v2/integrations/actions/\(action.id)",
        ]
    }
}

/// The event-time model behind the action aggregates, closed-form and exactly additive like `AggregateModel`:
/// executions `E(t) = (t - epoch) * rate / 1_000_000`, failures `F` a per-mille share of `E`, split evenly among the
/// `n` error types (type k gets `floor((F + k) / n)`), each a monotone function of `t`. Every group (the successes, each error type) has its own timer sum `S(N) = N * avg + f(N)`.
enum ActionModel {
    struct Profile: Sendable {
        let index: Int
        let executionRate: Int64
        let errorPerMille: Int64
        let executionAverage: Int64

        init(index: Int) {
            func draw(_ seed: Int, _ range: ClosedRange<Int64>) -> Int64 {
                let width = UInt64(range.upperBound - range.lowerBound + 1)
                return range.lowerBound + Int64(StableHash.value(0xA1, index, seed) % width)
            }
            self.index = index
            executionRate = draw(0, 5...200)
            errorPerMille = draw(1, 5...120)
            executionAverage = draw(2, 1_200...8_000)
        }
    }

    /// Cumulative executions up to `t` per group: index 0 the successes, `k + 1` error type `k`.
    static func cumulative(at t: Int64, errorTypes: Int, _ profile: Profile) -> [Int64] {
        let executions = AggregateModel.events(at: t, rate: profile.executionRate)
        guard errorTypes > 0 else { return [executions] }
        let failures = executions * profile.errorPerMille / 1000
        let n = Int64(errorTypes)
        // Hermite's identity: the n shares floor((F + k) / n) add up to F, and each grows with F.
        return [executions - failures] + (0..<n).map { (failures + $0) / n }
    }

    /// `S(N)` of one group's durations in milliseconds.
    static func timerSum(group: Int, count: Int64, _ profile: Profile) -> Int64 {
        guard count > 0 else { return 0 }
        return count * profile.executionAverage
            + Int64(StableHash.value(0xA2, profile.index, group, Int(count)) % 1000)
    }

    static func totals(from: Int64, to: Int64, errorTypes: [String], _ profile: Profile) -> SimulatedActionAggregate {
        let a = cumulative(at: from, errorTypes: errorTypes.count, profile)
        let b = cumulative(at: max(from, to), errorTypes: errorTypes.count, profile)
        var totals = SimulatedActionAggregate()
        for group in a.indices {
            totals.executions += b[group] - a[group]
            totals.executionMillis +=
                timerSum(group: group, count: b[group], profile) - timerSum(group: group, count: a[group], profile)
            if group > 0 { totals.errors[errorTypes[group - 1], default: 0] += b[group] - a[group] }
        }
        return totals
    }
}
