import GenesysAPI
import GenesysNotifications
import Synchronization

/// The agents collector's state between polls in stream mode: the listed users and the last observations poll
/// (each user's routing status and presence qualifier), with each streamed user message applied over it, and what
/// decides whether the next poll asks for observations again.
final class StreamedAgents: Sendable {
    private struct State {
        var listed: [DirectoryUser] = []
        var listedIDs: Set<String> = []
        /// Two per listed user (routing status, presence), sorted; made once per listing, not once per tick.
        var topics: [String] = []
        var observed = UserObservations()
        /// Messages since the last publication, the latest per user and topic (each holds the whole value).
        var pendingStatus: [String: String] = [:]
        var pendingPresence: [String: UserPresenceUpdate] = [:]
        var firstArrival: [String: ContinuousClock.Instant] = [:]
        var stream: NotificationHub?
        var reconciliation = StreamReconciliation()
    }

    private let state = Mutex(State())
    private let usersKnownSignal = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))

    func attach(_ stream: NotificationHub) { state.withLock { $0.stream = stream } }

    /// Returns once a poll has listed users (the stream has nothing to subscribe before).
    func usersKnown() async {
        for await _ in usersKnownSignal.stream { return }
    }

    /// The listed users' topics; nil before the first poll.
    var topics: [String]? { state.withLock { $0.reconciliation.hasPolled ? $0.topics : nil } }

    func pollNeeded(now: ContinuousClock.Instant, reconcileInterval: Duration) -> Bool {
        state.withLock { $0.reconciliation.pollNeeded($0.stream?.status, now: now, interval: reconcileInterval) }
    }

    func pollStarting() -> NotificationStreamStatus {
        state.withLock { $0.stream?.status ?? NotificationStreamStatus() }
    }

    /// A poll's observations replace everything streamed so far.
    func replace(
        _ observed: UserObservations, listed: [DirectoryUser], at now: ContinuousClock.Instant,
        seen: NotificationStreamStatus
    ) {
        state.withLock { state in
            Self.list(listed, in: &state)
            state.observed = observed
            state.reconciliation.polled(at: now, seen: seen)
        }
        usersKnownSignal.continuation.yield()
    }

    /// The streamed observations, for a poll that did not ask Genesys; a new listing changes the topics.
    func current(listed: [DirectoryUser]) -> UserObservations {
        state.withLock { state in
            if state.listed != listed { Self.list(listed, in: &state) }
            return state.observed
        }
    }

    private static func list(_ listed: [DirectoryUser], in state: inout State) {
        state.listed = listed
        state.listedIDs = Set(listed.map(\.id))
        state.topics = listed.flatMap {
            [NotificationMessage.routingStatusTopic(userID: $0.id), NotificationMessage.presenceTopic(userID: $0.id)]
        }.sorted()
    }

    /// A user message, applied at the next publication; false for a message the collector does not use (another
    /// topic, a user not listed, a presence from a secondary source).
    func enqueue(_ message: NotificationMessage, receivedAt: ContinuousClock.Instant) -> Bool {
        state.withLock { state in
            switch message {
            case .userRoutingStatus(let update) where state.listedIDs.contains(update.userID):
                state.pendingStatus[update.userID] = update.status
                if state.firstArrival[update.userID] == nil { state.firstArrival[update.userID] = receivedAt }
                return true
            case .userPresence(let update) where update.primary && state.listedIDs.contains(update.userID):
                state.pendingPresence[update.userID] = update
                if state.firstArrival[update.userID] == nil { state.firstArrival[update.userID] = receivedAt }
                return true
            default:
                return false
            }
        }
    }

    /// Applies the pending messages; returns the users and observations to publish, and when each user's oldest
    /// unpublished message arrived (nil when nothing was pending). A presence takes the org presence id when the
    /// mapping knows it (as the observations query reports it), else the system presence the message names.
    func applyPending(
        mapping: PresenceMapping
    ) -> (listed: [DirectoryUser], observed: UserObservations, arrivals: [ContinuousClock.Instant])? {
        state.withLock { state in
            guard !state.firstArrival.isEmpty else { return nil }
            for (userID, status) in state.pendingStatus { state.observed.routingStatus[userID] = status }
            for (userID, update) in state.pendingPresence {
                let known = update.presenceID.map { mapping.systemPresence(of: $0) != PresenceMapping.unknown } ?? false
                state.observed.presence[userID] =
                    known ? update.presenceID : (update.systemPresence ?? update.presenceID ?? PresenceMapping.unknown)
            }
            let arrivals = Array(state.firstArrival.values)
            state.pendingStatus.removeAll(keepingCapacity: true)
            state.pendingPresence.removeAll(keepingCapacity: true)
            state.firstArrival.removeAll(keepingCapacity: true)
            return (state.listed, state.observed, arrivals)
        }
    }
}
