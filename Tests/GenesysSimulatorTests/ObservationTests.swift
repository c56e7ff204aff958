import GenesysSimulator
import SimulatorTestSupport
import Testing

@Suite("POST /api/v2/analytics/queues/observations/query")
struct ObservationTests {
    static let allMetrics = ["oWaiting", "oInteracting", "oOnQueueUsers", "oMemberUsers"]

    @Test func test_query_groupsByQueueAndMediaType_andMatchesObservation() async throws {
        try await withSimulator { sim in
            let queues = Array(sim.queues().prefix(2))
            let reply = try await sim.observe(
                queues.map(\.id) + ["00000000-0000-4000-8000-000000000000"],
                metrics: Self.allMetrics, token: try await sim.clientToken())
            #expect(reply.status == 200)
            let results = try #require(reply.json?["results"] as? [[String: Any]])
            // 5 media groups + 1 user group per known queue; the unknown id is absent.
            #expect(results.count == 12)
            for result in results {
                let group = try #require(result["group"] as? [String: String])
                let queueID = try #require(group["queueId"])
                let data = try #require(result["data"] as? [[String: Any]])
                if let mediaType = group["mediaType"] {
                    #expect(["voice", "chat", "email", "callback", "message"].contains(mediaType))
                    #expect(data.compactMap { $0["metric"] as? String } == ["oWaiting", "oInteracting"])
                    for datum in data {
                        let metric = datum["metric"] as! String
                        let count = (datum["stats"] as? [String: Any])?["count"] as? Int
                        #expect(count == sim.observation(queueID: queueID, mediaType: mediaType, metric: metric))
                    }
                } else {
                    let onQueue = data.filter { $0["metric"] as? String == "oOnQueueUsers" }
                    #expect(onQueue.compactMap { $0["qualifier"] as? String } == ["IDLE", "INTERACTING"])
                    let onQueueSum = onQueue.compactMap { ($0["stats"] as? [String: Any])?["count"] as? Int }.reduce(
                        0, +)
                    #expect(onQueueSum == sim.observation(queueID: queueID, mediaType: "", metric: "oOnQueueUsers"))
                    let members = data.first { $0["metric"] as? String == "oMemberUsers" }
                    #expect(
                        (members?["stats"] as? [String: Any])?["count"] as? Int
                            == sim.observation(queueID: queueID, mediaType: "voice", metric: "oMemberUsers"))
                }
            }
        }
    }

    @Test func test_onlyRequestedMetricsAreReturned() async throws {
        try await withSimulator { sim in
            let reply = try await sim.observe(
                [sim.queues()[0].id], metrics: ["oMemberUsers"],
                token: try await sim.clientToken())
            let results = try #require(reply.json?["results"] as? [[String: Any]])
            #expect(results.count == 1)
            #expect((results[0]["group"] as? [String: String])?["mediaType"] == nil)
        }
    }

    @Test func test_predicateLimit() async throws {
        try await withSimulator(SimulatorConfiguration(queueCount: 150)) { sim in
            let token = try await sim.clientToken()
            let ids = sim.queues().map(\.id)
            let atLimit = try await sim.observe(Array(ids.prefix(100)), metrics: ["oWaiting"], token: token)
            #expect(atLimit.status == 200)
            #expect((atLimit.json?["results"] as? [Any])?.count == 500)
            let over = try await sim.observe(Array(ids.prefix(101)), metrics: ["oWaiting"], token: token)
            #expect(over.status == 400)
            #expect(over.errorCode == "bad.request")
        }
    }

    @Test(arguments: [
        "not json", "{}", #"{"filter":{"type":"or","predicates":[]},"metrics":["oWaiting"]}"#,
        #"{"filter":{"type":"or","predicates":[{"type":"dimension","dimension":"queueId","value":"x"}]},"metrics":["oBogus"]}"#,
    ])
    func test_malformedQuery_is400(body: String) async throws {
        try await withSimulator { sim in
            let reply = try await sim.request(
                "POST", "/api/v2/analytics/queues/observations/query",
                headers: [bearer(try await sim.clientToken())], body: Array(body.utf8))
            #expect(reply.status == 400)
            #expect(reply.errorCode == "bad.request")
        }
    }

    @Test func test_missingPermission_is403() async throws {
        try await withSimulator { sim in
            sim.setMissingPermissions(["analytics:queueObservation:view"])
            let reply = try await sim.observe(
                [sim.queues()[0].id], metrics: ["oWaiting"], token: try await sim.clientToken())
            #expect(reply.status == 403)
            #expect(reply.errorCode == "missing.permissions")
        }
    }

    @Test func test_valuesAreDeterministicAcrossSimulators() async throws {
        let a = GenesysSimulator()
        let b = GenesysSimulator()
        let queue = a.queues()[5].id
        #expect(queue == b.queues()[5].id)
        for metric in ["oWaiting", "oInteracting", "oOnQueueUsers", "oMemberUsers"] {
            #expect(
                a.observation(queueID: queue, mediaType: "voice", metric: metric)
                    == b.observation(queueID: queue, mediaType: "voice", metric: metric))
        }
        #expect(a.observation(queueID: "unknown", mediaType: "voice", metric: "oWaiting") == 0)
    }

    @Test func test_wrongMethod_is405() async throws {
        try await withSimulator { sim in
            let reply = try await sim.get(
                "/api/v2/analytics/queues/observations/query", token: try await sim.clientToken())
            #expect(reply.status == 405)
        }
    }
}
