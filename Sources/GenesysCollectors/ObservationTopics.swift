import GenesysAPI
import Synchronization

/// The observation topics of the selected queues, sorted, made again only when the selection changes: the stream
/// asks every tick, and 200 orgs building and sorting 50 topics each every 5 seconds showed in the fleet's profile.
final class ObservationTopics: Sendable {
    private let cached = Mutex<(ids: [String], topics: [String])>(([], []))

    func topics(of queues: [RoutingQueue]) -> [String] {
        cached.withLock { cached in
            if cached.ids.elementsEqual(queues.lazy.map(\.id)) { return cached.topics }
            cached = (queues.map(\.id), queues.map { NotificationMessage.observationTopic(queueID: $0.id) }.sorted())
            return cached.topics
        }
    }
}
