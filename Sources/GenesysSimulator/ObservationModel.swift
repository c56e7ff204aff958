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

    let moving: Bool
    let epoch: ContinuousClock.Instant

    /// The time slot values are computed for: always 0 unless `moving`.
    func slot(at instant: ContinuousClock.Instant) -> Int {
        guard moving else { return 0 }
        return Int((instant - epoch) / Self.slotLength)
    }

    /// `oWaiting` / `oInteracting` for one media type (0 for an unknown media type or other metrics).
    func mediaValue(queueIndex: Int, mediaType: String, metric: String, slot: Int) -> Int {
        guard let media = Self.mediaTypes.firstIndex(of: mediaType) else { return 0 }
        let ceilings: [Int]
        switch metric {
        case "oWaiting": ceilings = [6, 3, 3, 2, 4]
        case "oInteracting": ceilings = [9, 4, 5, 2, 6]
        default: return 0
        }
        let metricSeed = metric == "oWaiting" ? 11 : 12
        return Int(StableHash.value(queueIndex, media, metricSeed, slot) % UInt64(ceilings[media] + 1))
    }

    /// `oOnQueueUsers` by qualifier: IDLE and INTERACTING, never more than the joined members together.
    func onQueueUsers(queue: SimulatedQueue, queueIndex: Int, slot: Int) -> [(qualifier: String, count: Int)] {
        let joined = queue.joinedMemberCount
        let idle = Int(StableHash.value(queueIndex, 21, slot) % UInt64(joined + 1))
        let interacting = Int(StableHash.value(queueIndex, 22, slot) % UInt64(joined - idle + 1))
        return [("IDLE", idle), ("INTERACTING", interacting)]
    }

    /// `oMemberUsers`: the queue's user members (does not move).
    func memberUsers(queue: SimulatedQueue) -> Int {
        queue.userMemberCount
    }
}
