import Foundation
import GenesysSimulator
import SimulatorTestSupport
import Testing

@Suite("Queue observations: alerting, routing statuses, presences and waiting detail")
struct ObservationDetailTests {
    static let mediaTypes = ["voice", "chat", "email", "callback", "message"]
    static let exporterMetrics = [
        "oWaiting", "oInteracting", "oAlerting", "oOnQueueUsers", "oUserRoutingStatuses", "oUserPresences",
    ]

    /// The exporter's query: every metric it asks for, with `oWaiting`'s detail.
    static func exporterQuery(_ queueIDs: [String]) -> [UInt8] {
        let predicates = queueIDs.map {
            ["type": "dimension", "dimension": "queueId", "operator": "matches", "value": $0]
        }
        let query: [String: Any] = [
            "filter": ["type": "or", "predicates": predicates], "metrics": exporterMetrics,
            "detailMetrics": ["oWaiting"],
        ]
        return Array(try! JSONSerialization.data(withJSONObject: query))
    }

    static func post(_ sim: GenesysSimulator, _ body: [UInt8]) async throws -> HTTPReply {
        try await sim.request(
            "POST", "/api/v2/analytics/queues/observations/query",
            headers: [bearer(try await sim.clientToken()), ("Content-Type", "application/json")], body: body)
    }

    static func count(_ datum: [String: Any]) -> Int? {
        (datum["stats"] as? [String: Any])?["count"] as? Int
    }

    @Test func test_observations_routingStatusesAndPresences_areConsistent() async throws {
        try await withSimulator { sim in
            let queues = Array(sim.queues().prefix(12))
            let reply = try await Self.post(sim, Self.exporterQuery(queues.map(\.id)))
            #expect(reply.status == 200)
            let json = try #require(reply.json)
            let mappings = try #require(json["systemToOrganizationMappings"] as? [String: [String]])
            #expect(Set(mappings.keys) == Set(GenesysSimulator.systemPresences))
            #expect(mappings.count == 10)
            #expect(mappings["BREAK"]?.count == 2)
            #expect(mappings.filter { $0.key != "BREAK" }.allSatisfy { $0.value.count == 1 })
            #expect(mappings == GenesysSimulator.systemToOrganizationMappings)
            var systemOf: [String: String] = [:]
            for (system, ids) in mappings { for id in ids { systemOf[id] = system } }
            #expect(systemOf.count == 11)

            let results = try #require(json["results"] as? [[String: Any]])
            for queue in queues {
                let userGroup = try #require(
                    results.first {
                        let group = $0["group"] as? [String: String]
                        return group?["queueId"] == queue.id && group?["mediaType"] == nil
                    })
                let data = try #require(userGroup["data"] as? [[String: Any]])
                func counts(_ metric: String) -> [String: Int] {
                    var counts: [String: Int] = [:]
                    for datum in data where datum["metric"] as? String == metric {
                        counts[datum["qualifier"] as? String ?? "", default: 0] += Self.count(datum) ?? 0
                    }
                    return counts
                }
                let onQueue = counts("oOnQueueUsers")
                let statuses = counts("oUserRoutingStatuses")
                #expect(Set(statuses.keys) == ["IDLE", "INTERACTING", "COMMUNICATING", "NOT_RESPONDING", "OFF_QUEUE"])
                #expect(statuses["IDLE"] == onQueue["IDLE"])
                #expect(statuses["INTERACTING"] == onQueue["INTERACTING"])
                #expect(statuses.values.allSatisfy { $0 >= 0 })
                #expect(statuses.values.reduce(0, +) <= queue.joinedMemberCount)
                #expect(statuses == sim.routingStatusCounts(queueID: queue.id))

                var bySystem: [String: Int] = [:]
                for (presenceID, count) in counts("oUserPresences") {
                    let system = try #require(systemOf[presenceID], "unmapped presence id \(presenceID)")
                    bySystem[system, default: 0] += count
                }
                #expect(bySystem.values.allSatisfy { $0 >= 0 })
                #expect(bySystem.values.reduce(0, +) <= queue.userMemberCount)
                #expect(bySystem == sim.systemPresenceCounts(queueID: queue.id))
                // Routing users are on queue.
                #expect(bySystem["ON_QUEUE"] == statuses.values.reduce(0, +) - (statuses["OFF_QUEUE"] ?? 0))
            }
            #expect(sim.routingStatusCounts(queueID: "nope").isEmpty)
            #expect(sim.systemPresenceCounts(queueID: "nope").isEmpty)
        }
    }

    @Test func test_observations_alertingAndWaitingDetail_matchTheTruth() async throws {
        let clock = ManualWallClock(noonNov27)
        try await withSimulator(configuration(wallClock: clock)) { sim in
            let queues = Array(sim.queues().prefix(10))
            let reply = try await Self.post(sim, Self.exporterQuery(queues.map(\.id)))
            let results = try #require(reply.json?["results"] as? [[String: Any]])
            var sawDetail = false
            var sawAlerting = false
            for result in results {
                guard let group = result["group"] as? [String: String], let mediaType = group["mediaType"] else {
                    continue
                }
                let queueID = try #require(group["queueId"])
                let data = try #require(result["data"] as? [[String: Any]])
                #expect(data.compactMap { $0["metric"] as? String } == ["oWaiting", "oInteracting", "oAlerting"])
                let alerting = try #require(data.first { $0["metric"] as? String == "oAlerting" })
                #expect(Self.count(alerting) == sim.alerting(queueID: queueID, mediaType: mediaType))
                sawAlerting = sawAlerting || (Self.count(alerting) ?? 0) > 0

                let waiting = try #require(data.first { $0["metric"] as? String == "oWaiting" })
                let waitingCount = try #require(Self.count(waiting))
                let observations = waiting["observations"] as? [[String: Any]]
                guard waitingCount > 0 else {
                    #expect(observations == nil)
                    #expect(sim.oldestWaiting(queueID: queueID, mediaType: mediaType) == nil)
                    continue
                }
                sawDetail = true
                let detail = try #require(observations)
                #expect(detail.count == waitingCount)
                var dates: [Double] = []
                for item in detail {
                    let iso = try #require(item["observationDate"] as? String)
                    #expect(iso.count == 24 && iso.hasSuffix("Z"))
                    let date = try #require(unixSeconds(iso))
                    // Started waiting at most 15 minutes before the slot began (the simulator's start).
                    #expect(date <= noonNov27 && date >= noonNov27 - 900)
                    dates.append(date)
                    #expect((item["conversationId"] as? String)?.count == 36)
                    #expect((item["sessionId"] as? String)?.count == 36)
                    #expect(item["routingPriority"] as? Int == 0)
                    #expect((item["requestedRoutingSkillIds"] as? [Any])?.isEmpty == true)
                }
                let oldest = try #require(sim.oldestWaiting(queueID: queueID, mediaType: mediaType))
                #expect(abs(oldest - dates.min()!) < 0.0005)
            }
            #expect(sawDetail)
            #expect(sawAlerting)
            // Wall time passing within the slot does not move the dates.
            clock.advance(by: 3600)
            let again = try await Self.post(sim, Self.exporterQuery(queues.map(\.id)))
            #expect(again.body == reply.body)
        }
    }

    @Test func test_observations_withoutNewMetrics_answerAsBefore() async throws {
        try await withSimulator { sim in
            let ids = sim.queues().prefix(3).map(\.id)
            let reply = try await sim.observe(
                ids, metrics: ["oWaiting", "oInteracting", "oOnQueueUsers", "oMemberUsers"],
                token: try await sim.clientToken())
            #expect(reply.status == 200)
            let json = try #require(reply.json)
            #expect(Array(json.keys) == ["results"])
            let results = try #require(json["results"] as? [[String: Any]])
            #expect(results.count == 18)
            for result in results {
                let data = try #require(result["data"] as? [[String: Any]])
                #expect(data.allSatisfy { $0["observations"] == nil })
                let metrics = data.compactMap { $0["metric"] as? String }
                if (result["group"] as? [String: String])?["mediaType"] != nil {
                    #expect(metrics == ["oWaiting", "oInteracting"])
                } else {
                    #expect(metrics == ["oOnQueueUsers", "oOnQueueUsers", "oMemberUsers"])
                }
            }
            // The same body byte for byte as another simulator's.
            let other = try await withSimulator { other in
                try await other.observe(
                    ids, metrics: ["oWaiting", "oInteracting", "oOnQueueUsers", "oMemberUsers"],
                    token: try await other.clientToken())
            }
            #expect(other.body == reply.body)
        }
    }

    @Test(arguments: [
        #"{"filter":{"type":"or","predicates":[{"type":"dimension","dimension":"queueId","value":"x"}]},"metrics":["oWaiting"],"detailMetrics":"oWaiting"}"#,
        #"{"filter":{"type":"or","predicates":[{"type":"dimension","dimension":"queueId","value":"x"}]},"metrics":["oWaiting"],"detailMetrics":["oMemberUsers"]}"#,
    ])
    func test_observations_badDetailMetrics_is400(body: String) async throws {
        try await withSimulator { sim in
            let reply = try await Self.post(sim, Array(body.utf8))
            #expect(reply.status == 400)
            #expect(reply.errorCode == "bad.request")
        }
    }
}
