/// A simulated division (the org's Home division is the first).
package struct SimulatedDivision: Sendable, Equatable {
    package let id: String
    package let name: String
}

/// A simulated active user as the user listing serves it.
package struct SimulatedUser: Sendable, Equatable {
    package let id: String
    package let name: String
    package let division: SimulatedDivision
}

/// What a user is doing at one instant: a routing status (an SDK `RoutingStatus.status` value) and a system
/// presence, with the org presence id `oUserPresences` reports for it.
package struct SimulatedUserState: Sendable, Equatable {
    package let routingStatus: String
    package let systemPresence: String
    package let organizationPresenceID: String
}

/// A user's time in each routing status and system presence over an interval, in milliseconds (what
/// `tAgentRoutingStatus` and `tSystemPresence` sum).
package struct SimulatedUserTimes: Sendable, Equatable {
    package var routingStatusMillis: [String: Int64] = [:]
    package var systemPresenceMillis: [String: Int64] = [:]
}

/// The divisions users and queues are spread over: division `i % 3` for user or queue `i`.
enum DivisionCatalog {
    static let divisions = [
        SimulatedDivision(id: IdentityRoutes.homeDivisionID, name: "Home"),
        SimulatedDivision(id: TelephonyCatalog.uuid(0xD17, 1), name: "Sales \"EMEA\""),
        SimulatedDivision(id: TelephonyCatalog.uuid(0xD17, 2), name: "Support Zürich"),
    ]

    static func division(_ index: Int) -> SimulatedDivision { divisions[index % divisions.count] }

    /// The `division` object of a listing (the SDK's `Division`).
    static func object(_ division: SimulatedDivision) -> [String: Any] {
        ["id": division.id, "name": division.name, "selfUri": "/api/v2/authorization/divisions/\(division.id)"]
    }
}

/// The org's active users: user `i` always has the same id, name, division and status schedule. A test may pin
/// a user's observed routing status and presence id to other text (`observationOverrides`, see
/// `ObservedUserState`), to try values Genesys may add later.
struct UserCatalog: Sendable {
    static let maximumCount = 100_000
    /// Index of the user whose name holds a double quote, a backslash and a non-ASCII character.
    static let awkwardNameIndex = 1

    let count: Int
    var observationOverrides: [Int: ObservedUserState] = [:]
    private let indexByID: [String: Int]

    init(count: Int) {
        self.count = min(max(count, 0), Self.maximumCount)
        indexByID = Dictionary(uniqueKeysWithValues: (0..<self.count).map { (Self.id($0), $0) })
    }

    func index(ofID id: String) -> Int? { indexByID[id] }

    static func id(_ index: Int) -> String { TelephonyCatalog.uuid(0xA6E, index) }

    static func user(_ index: Int) -> SimulatedUser {
        let number = String(index + 1).leftPadded(to: 3)
        let name = index == awkwardNameIndex ? "Zoë \"Z\" O\\Brien \(number)" : "Agent \(number)"
        return SimulatedUser(id: id(index), name: name, division: DivisionCatalog.division(index))
    }

    /// The user as `GET /api/v2/users` lists it (the SDK's `User`).
    static func object(_ index: Int) -> [String: Any] {
        let user = user(index)
        return [
            "id": user.id, "name": user.name, "division": DivisionCatalog.object(user.division),
            "email": "agent\(index + 1)@simulated-cc.example", "state": "active", "version": 3,
            "username": "agent\(index + 1)@simulated-cc.example", "selfUri": "/api/v2/users/\(user.id)",
        ]
    }
}

/// Each user's day as a deterministic periodic schedule of `segmentCount` segments (a routing status and a
/// system presence, whole seconds long), shifted by a per-user offset from `AggregateModel.epochMillis`. Time in a
/// status over `[a, b)` is `G(b) - G(a)` of a closed-form cumulative `G`, so windows add up exactly.
enum UserModel {
    static let segmentCount = 6
    /// The SDK's `RoutingStatus.status` values, in the order the simulator reports them.
    static let routingStatuses = ObservationModel.routingStatuses
    static let systemPresences = ObservationModel.systemPresences
    /// (system presence, routing status) pairs a segment draws from: routing users are ON_QUEUE, the others
    /// OFF_QUEUE in some other presence.
    private static let pairs: [(presence: String, status: String)] = [
        ("ON_QUEUE", "IDLE"), ("ON_QUEUE", "IDLE"), ("ON_QUEUE", "IDLE"), ("ON_QUEUE", "INTERACTING"),
        ("ON_QUEUE", "INTERACTING"), ("ON_QUEUE", "INTERACTING"), ("ON_QUEUE", "COMMUNICATING"),
        ("ON_QUEUE", "NOT_RESPONDING"), ("AVAILABLE", "OFF_QUEUE"), ("AWAY", "OFF_QUEUE"), ("BUSY", "OFF_QUEUE"),
        ("BREAK", "OFF_QUEUE"), ("MEAL", "OFF_QUEUE"), ("MEETING", "OFF_QUEUE"), ("TRAINING", "OFF_QUEUE"),
        ("OFFLINE", "OFF_QUEUE"), ("OFFLINE", "OFF_QUEUE"), ("IDLE", "OFF_QUEUE"),
    ]

    struct Segment: Sendable {
        let presence: String
        let status: String
        let millis: Int64
    }

    /// One user's schedule, drawn from `StableHash`.
    struct Schedule: Sendable {
        let index: Int
        let segments: [Segment]
        let periodMillis: Int64
        let offsetMillis: Int64

        init(index: Int) {
            self.index = index
            segments = (0..<UserModel.segmentCount).map { k in
                let pair = UserModel.pairs[Int(StableHash.value(0xA6, index, k, 1) % UInt64(UserModel.pairs.count))]
                let millis = Int64(30 + StableHash.value(0xA6, index, k, 2) % 571) * 1000
                return Segment(presence: pair.presence, status: pair.status, millis: millis)
            }
            periodMillis = segments.reduce(0) { $0 + $1.millis }
            offsetMillis = Int64(StableHash.value(0xA6, index, 3) % UInt64(periodMillis))
        }

        /// The position in the schedule at wall time `t` (clamped to the model's epoch and horizon).
        func position(_ t: Int64) -> Int64 {
            min(max(t, AggregateModel.epochMillis), AggregateModel.horizonMillis) - AggregateModel.epochMillis
                + offsetMillis
        }

        /// Time spent in each segment's status and presence over schedule positions `[0, x)`.
        func cumulative(_ x: Int64) -> SimulatedUserTimes {
            let cycles = x / periodMillis
            var left = x % periodMillis
            var times = SimulatedUserTimes()
            for segment in segments {
                let partial = min(left, segment.millis)
                left -= partial
                let spent = cycles * segment.millis + partial
                times.routingStatusMillis[segment.status, default: 0] += spent
                times.systemPresenceMillis[segment.presence, default: 0] += spent
            }
            return times
        }

        func segment(at t: Int64) -> Segment { segments[place(at: t).index] }

        /// The segment the schedule is in at wall time `t`, and how far into it.
        func place(at t: Int64) -> (index: Int, intoMillis: Int64) {
            var left = position(t) % periodMillis
            for (index, segment) in segments.enumerated() {
                if left < segment.millis { return (index, left) }
                left -= segment.millis
            }
            return (segments.count - 1, segments[segments.count - 1].millis - 1)
        }

        /// When the run of segments `same` finds alike that holds wall time `t` began (Unix ms), no earlier than the
        /// model's epoch (there is no schedule before it; a schedule alike all round has run since then).
        func runStart(at t: Int64, _ same: (Segment, Segment) -> Bool) -> Int64 {
            let (current, into) = place(at: t)
            let clamped = min(max(t, AggregateModel.epochMillis), AggregateModel.horizonMillis)
            var back = into
            var index = current
            for _ in 1..<segments.count {
                index = (index + segments.count - 1) % segments.count
                guard same(segments[index], segments[current]) else {
                    return max(clamped - back, AggregateModel.epochMillis)
                }
                back += segments[index].millis
            }
            return AggregateModel.epochMillis
        }
    }

    /// Where user `index` is at wall time `t` (Unix ms); BREAK's org presence alternates between its two ids by
    /// user.
    static func state(index: Int, at t: Int64) -> SimulatedUserState {
        let segment = Schedule(index: index).segment(at: t)
        let ids = ObservationModel.organizationPresences[segment.presence] ?? []
        let presenceID = ids.isEmpty ? "" : ids[index % ids.count]
        return SimulatedUserState(
            routingStatus: segment.status, systemPresence: segment.presence, organizationPresenceID: presenceID)
    }

    /// When user `index`, at wall time `t`, entered its current routing status and its current system presence
    /// (Unix ms): consecutive segments with the same value are one stay.
    static func entered(index: Int, at t: Int64) -> (routingStatusMillis: Int64, presenceMillis: Int64) {
        let schedule = Schedule(index: index)
        return (
            schedule.runStart(at: t) { $0.status == $1.status }, schedule.runStart(at: t) { $0.presence == $1.presence }
        )
    }

    /// User `index`'s time per status and presence over `[from, to)` in Unix ms (nothing when `to <= from`).
    static func totals(index: Int, from: Int64, to: Int64) -> SimulatedUserTimes {
        let schedule = Schedule(index: index)
        let a = schedule.cumulative(schedule.position(from))
        let b = schedule.cumulative(schedule.position(max(from, to)))
        var times = SimulatedUserTimes()
        for (status, millis) in b.routingStatusMillis {
            let spent = millis - (a.routingStatusMillis[status] ?? 0)
            if spent > 0 { times.routingStatusMillis[status] = spent }
        }
        for (presence, millis) in b.systemPresenceMillis {
            let spent = millis - (a.systemPresenceMillis[presence] ?? 0)
            if spent > 0 { times.systemPresenceMillis[presence] = spent }
        }
        return times
    }

    /// User `index`'s time per org presence id over `[from, to)` (`tOrganizationPresence`): BREAK under the id
    /// `state` reports for the user.
    static func organizationPresenceTotals(index: Int, from: Int64, to: Int64) -> [String: Int64] {
        var byID: [String: Int64] = [:]
        for (presence, millis) in totals(index: index, from: from, to: to).systemPresenceMillis {
            let ids = ObservationModel.organizationPresences[presence] ?? []
            guard !ids.isEmpty else { continue }
            byID[ids[index % ids.count], default: 0] += millis
        }
        return byID
    }
}
