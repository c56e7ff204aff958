import GenesysAPI
import Testing

@testable import GenesysCollectors

/// The stream asks for the observation topics every tick: they are made again only when the selection changes.
@Suite("Observation topics")
struct ObservationTopicsTests {
    @Test func test_topics_areSorted_andFollowTheSelection() {
        let topics = ObservationTopics()
        let first = [RoutingQueue(id: "q2", name: "B"), RoutingQueue(id: "q1", name: "A")]
        #expect(
            topics.topics(of: first) == [
                "v2.analytics.queues.q1.observations", "v2.analytics.queues.q2.observations",
            ])
        // The same ids under new names keep the topics; another selection gets its own.
        #expect(topics.topics(of: [RoutingQueue(id: "q2", name: "X"), RoutingQueue(id: "q1", name: "Y")]).count == 2)
        #expect(topics.topics(of: [RoutingQueue(id: "q3", name: "C")]) == ["v2.analytics.queues.q3.observations"])
        #expect(topics.topics(of: []) == [])
        #expect(topics.topics(of: first).count == 2)
    }
}
