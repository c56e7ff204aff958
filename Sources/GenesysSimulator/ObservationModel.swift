/// The deterministic queue observation values: a function of the queue, media type, metric and time slot.
struct ObservationModel: Sendable {
    static let mediaTypes = ["voice", "chat", "email", "callback", "message"]
    static let mediaMetrics: Set<String> = ["oWaiting", "oInteracting", "oAlerting"]
    static let userMetrics: Set<String> = [
        "oOnQueueUsers", "oMemberUsers", "oActiveUsers", "oOffQueueUsers", "oUserPresences", "oUserRoutingStatuses",
    ]
    /// Qualifiers reported for `oOnQueueUsers`, in order.
    static let onQueueQualifiers = ["IDLE", "INTERACTING"]
    /// How long one set of values lasts when observations move.
    static let slotLength: Duration = .seconds(10)

    /// Qualifiers reported for `oUserRoutingStatuses`, in order.
    static let routingStatuses = ["IDLE", "INTERACTING", "COMMUNICATING", "NOT_RESPONDING", "OFF_QUEUE"]
    /// The system presences, in the order `oUserPresences` reports them.
    static let systemPresences = [
        "AVAILABLE", "AWAY", "BUSY", "BREAK", "MEAL", "MEETING", "TRAINING", "ON_QUEUE", "OFFLINE", "IDLE",
    ]
    /// The simulated org's presence definitions: fixed made-up ids, two of them for BREAK (as orgs that add a
    /// "Coffee break" next to the built-in one have).
    static let organizationPresences: [String: [String]] = [
        "AVAILABLE": ["6a0f3c2e-8b1d-4e57-9a64-1c2d3e4f5a01"],
        "AWAY": ["6a0f3c2e-8b1d-4e57-9a64-1c2d3e4f5a02"],
        "BUSY": ["6a0f3c2e-8b1d-4e57-9a64-1c2d3e4f5a03"],
        "BREAK": ["6a0f3c2e-8b1d-4e57-9a64-1c2d3e4f5a04", "b7e2d9c1-4f3a-4b68-8d75-2e3f4a5b6c11"],
        "MEAL": ["6a0f3c2e-8b1d-4e57-9a64-1c2d3e4f5a05"],
        "MEETING": ["6a0f3c2e-8b1d-4e57-9a64-1c2d3e4f5a06"],
        "TRAINING": ["6a0f3c2e-8b1d-4e57-9a64-1c2d3e4f5a07"],
        "ON_QUEUE": ["6a0f3c2e-8b1d-4e57-9a64-1c2d3e4f5a08"],
        "OFFLINE": ["6a0f3c2e-8b1d-4e57-9a64-1c2d3e4f5a09"],
        "IDLE": ["6a0f3c2e-8b1d-4e57-9a64-1c2d3e4f5a10"],
    ]
    /// The system presence of each org presence id in `organizationPresences`.
    static let systemPresenceByOrganizationPresenceID: [String: String] = Dictionary(
        uniqueKeysWithValues: organizationPresences.flatMap { presence, ids in ids.map { ($0, presence) } })
    /// The longest a conversation in `oWaiting`'s detail has been waiting when its slot starts.
    static let maxWaitingAgeMillis: Int64 = 900_000

    let moving: Bool
    let epoch: ContinuousClock.Instant
    /// The wall clock (Unix ms) at `epoch`: slot `s` starts at `wallEpochMillis + s * 10 s` in wall time.
    let wallEpochMillis: Int64

    /// The time slot values are computed for: always 0 unless `moving`.
    func slot(at instant: ContinuousClock.Instant) -> Int {
        guard moving else { return 0 }
        return Int((instant - epoch) / Self.slotLength)
    }

    /// How long from `instant` until the next slot starts; nil unless `moving` (the values never change).
    func untilNextSlot(from instant: ContinuousClock.Instant) -> Duration? {
        guard moving else { return nil }
        return epoch + Self.slotLength * (slot(at: instant) + 1) - instant
    }

    /// `oWaiting` / `oInteracting` for one media type (0 for an unknown media type or other metrics).
    func mediaValue(queueIndex: Int, mediaType: String, metric: String, slot: Int) -> Int {
        guard let media = Self.mediaTypes.firstIndex(of: mediaType) else { return 0 }
        let ceilings: [Int]
        switch metric {
        case "oWaiting": ceilings = [6, 3, 3, 2, 4]
        case "oInteracting": ceilings = [9, 4, 5, 2, 6]
        case "oAlerting": ceilings = [2, 1, 1, 1, 1]
        default: return 0
        }
        let metricSeed =
            switch metric {
            case "oWaiting": 11
            case "oInteracting": 12
            default: 13
            }
        return Int(StableHash.value(queueIndex, media, metricSeed, slot) % UInt64(ceilings[media] + 1))
    }

    /// `oOnQueueUsers` by qualifier: IDLE and INTERACTING, never more than the joined members together.
    func onQueueUsers(queue: SimulatedQueue, queueIndex: Int, slot: Int) -> [(qualifier: String, count: Int)] {
        let joined = queue.joinedMemberCount
        let idle = Int(StableHash.value(queueIndex, 21, slot) % UInt64(joined + 1))
        let interacting = Int(StableHash.value(queueIndex, 22, slot) % UInt64(joined - idle + 1))
        return [("IDLE", idle), ("INTERACTING", interacting)]
    }

    /// `oUserRoutingStatuses` by qualifier: IDLE and INTERACTING as in `oOnQueueUsers`, the others drawn from
    /// the joined members left, so the total never exceeds `joinedMemberCount`.
    func routingStatuses(queue: SimulatedQueue, queueIndex: Int, slot: Int) -> [(qualifier: String, count: Int)] {
        let onQueue = onQueueUsers(queue: queue, queueIndex: queueIndex, slot: slot)
        var left = queue.joinedMemberCount - onQueue.reduce(0) { $0 + $1.count }
        func draw(_ seed: Int, atMost ceiling: Int) -> Int {
            let count = Int(StableHash.value(queueIndex, seed, slot) % UInt64(max(0, min(left, ceiling)) + 1))
            left -= count
            return count
        }
        let communicating = draw(23, atMost: 2)
        let notResponding = draw(24, atMost: 1)
        let offQueue = draw(25, atMost: left)
        return onQueue + [("COMMUNICATING", communicating), ("NOT_RESPONDING", notResponding), ("OFF_QUEUE", offQueue)]
    }

    /// `oUserPresences` by system presence: the users routing (every status but OFF_QUEUE) are ON_QUEUE, the
    /// other user members are spread over the remaining presences; the total is `userMemberCount`.
    func systemPresenceCounts(queue: SimulatedQueue, queueIndex: Int, slot: Int) -> [(presence: String, count: Int)] {
        let statuses = routingStatuses(queue: queue, queueIndex: queueIndex, slot: slot)
        let onQueue = statuses.filter { $0.qualifier != "OFF_QUEUE" }.reduce(0) { $0 + $1.count }
        var left = max(0, queue.userMemberCount - onQueue)
        var counts: [(presence: String, count: Int)] = []
        for (offset, presence) in Self.systemPresences.enumerated() {
            let count: Int
            switch presence {
            case "ON_QUEUE": count = onQueue
            case "OFFLINE": count = 0
            default: count = Int(StableHash.value(queueIndex, 30 + offset, slot) % UInt64(min(left, 2) + 1))
            }
            if presence != "ON_QUEUE" { left -= count }
            counts.append((presence, count))
        }
        // Whoever is left is offline.
        if let offline = counts.firstIndex(where: { $0.presence == "OFFLINE" }) { counts[offline].count = left }
        return counts
    }

    /// `oUserPresences` by org presence id, in `systemPresences` order; BREAK is split over its two ids.
    func organizationPresenceCounts(
        queue: SimulatedQueue, queueIndex: Int, slot: Int
    ) -> [(presenceID: String, count: Int)] {
        var counts: [(presenceID: String, count: Int)] = []
        for (presence, count) in systemPresenceCounts(queue: queue, queueIndex: queueIndex, slot: slot) {
            let ids = Self.organizationPresences[presence] ?? []
            guard ids.count > 1 else {
                counts += ids.map { ($0, count) }
                continue
            }
            let first = Int(StableHash.value(queueIndex, 40, slot) % UInt64(count + 1))
            counts += [(ids[0], first), (ids[1], count - first)]
        }
        return counts
    }

    /// One waiting conversation in `oWaiting`'s detail.
    struct WaitingConversation: Sendable {
        /// When it started waiting, Unix ms: the slot's start minus an age of 0–900 s, fixed for the slot.
        let observationMillis: Int64
        let conversationID: String
        let sessionID: String
    }

    /// The conversations behind `oWaiting` for one media type, in arrival order (oldest first): `count` of them
    /// (an override), or as many as the model's `oWaiting`.
    func waitingConversations(queueIndex: Int, mediaType: String, slot: Int, count: Int? = nil) -> [WaitingConversation]
    {
        guard let media = Self.mediaTypes.firstIndex(of: mediaType) else { return [] }
        let count = count ?? mediaValue(queueIndex: queueIndex, mediaType: mediaType, metric: "oWaiting", slot: slot)
        let slotStart = wallEpochMillis + Int64(slot) * Int64(Self.slotLength.components.seconds) * 1000
        let conversations = (0..<count).map { position in
            let age = Int64(
                StableHash.value(queueIndex, media, position, slot, 50) % UInt64(Self.maxWaitingAgeMillis + 1))
            return WaitingConversation(
                observationMillis: slotStart - age,
                conversationID: Self.uuid(queueIndex, media, position, slot, 51),
                sessionID: Self.uuid(queueIndex, media, position, slot, 52))
        }
        return conversations.sorted { $0.observationMillis < $1.observationMillis }
    }

    /// A version-4-shaped UUID from `StableHash`.
    static func uuid(_ parts: Int...) -> String {
        let high = StableHash.value(parts + [0x61])
        let low = StableHash.value(parts + [0x62])
        let hex = Array(String(high, radix: 16).leftPadded(to: 16) + String(low, radix: 16).leftPadded(to: 16))
        let variant = ["8", "9", "a", "b"][Int(low >> 62)]
        return String(hex[0..<8]) + "-" + String(hex[8..<12]) + "-4" + String(hex[13..<16]) + "-" + variant
            + String(hex[17..<20]) + "-" + String(hex[20..<32])
    }

    /// The estimated wait in whole seconds (0–600) for one media type.
    func estimatedWait(queueIndex: Int, media: Int, slot: Int) -> Int {
        Int(StableHash.value(queueIndex, media, 60, slot) % 601)
    }

    /// `oMemberUsers`: the queue's user members (does not move).
    func memberUsers(queue: SimulatedQueue) -> Int {
        queue.userMemberCount
    }
}
