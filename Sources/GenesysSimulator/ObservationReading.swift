/// Values of `oWaiting`, `oInteracting` and `oAlerting` a test set per queue and media type, in place of the
/// model's (`GenesysSimulator.setObservationOverride`).
struct ObservationOverrides: Sendable {
    /// The largest value an override takes (each waiting conversation is listed in `oWaiting`'s detail).
    static let maximum = 10_000

    private struct Key: Hashable {
        let queueID: String
        let mediaType: String
        let metric: String
    }

    private var values: [Key: Int] = [:]

    /// Sets (nil: clears) one override, clamped to `0...maximum`; false, and nothing changed, for a metric or
    /// media type the model has no per-media value of.
    mutating func set(queueID: String, mediaType: String, metric: String, value: Int?) -> Bool {
        guard ObservationModel.mediaMetrics.contains(metric), ObservationModel.mediaTypes.contains(mediaType) else {
            return false
        }
        values[Key(queueID: queueID, mediaType: mediaType, metric: metric)] = value.map {
            min(max($0, 0), Self.maximum)
        }
        return true
    }

    func value(queueID: String, mediaType: String, metric: String) -> Int? {
        values.isEmpty ? nil : values[Key(queueID: queueID, mediaType: mediaType, metric: metric)]
    }
}

/// The observation values at one slot with the overrides in force: what the observation query answers and what
/// the notification stream sends, read from the same place so the two always agree.
struct ObservationReading: Sendable {
    let model: ObservationModel
    let slot: Int
    let overrides: ObservationOverrides

    /// `oWaiting` / `oInteracting` / `oAlerting` for one media type: the override, or the model's value.
    func mediaValue(queueIndex: Int, queueID: String, mediaType: String, metric: String) -> Int {
        overrides.value(queueID: queueID, mediaType: mediaType, metric: metric)
            ?? model.mediaValue(queueIndex: queueIndex, mediaType: mediaType, metric: metric, slot: slot)
    }

    /// The conversations behind `oWaiting` (as many as `mediaValue` says), oldest first.
    func waitingConversations(
        queueIndex: Int, queueID: String, mediaType: String
    ) -> [ObservationModel.WaitingConversation] {
        let count = overrides.value(queueID: queueID, mediaType: mediaType, metric: "oWaiting")
        return model.waitingConversations(queueIndex: queueIndex, mediaType: mediaType, slot: slot, count: count)
    }
}
