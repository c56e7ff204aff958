import GenesysSimulator
import SimulatorTestSupport
import Testing

@Suite("GET /api/v2/routing/queues/{queueId}/mediatypes/{mediaType}/estimatedwaittime")
struct EstimatedWaitTests {
    static let template = "/api/v2/routing/queues/{queueId}/mediatypes/{mediaType}/estimatedwaittime"

    static func path(_ queueID: String, _ mediaType: String) -> String {
        "/api/v2/routing/queues/\(queueID)/mediatypes/\(mediaType)/estimatedwaittime"
    }

    @Test func test_estimatedWait_answersTheModelsValue_perMediaType() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            for queue in sim.queues().prefix(3) {
                for mediaType in ["voice", "call", "chat", "email", "callback", "message"] {
                    let reply = try await sim.get(Self.path(queue.id, mediaType), token: token)
                    #expect(reply.status == 200)
                    let results = try #require(reply.json?["results"] as? [[String: Any]])
                    #expect(results.count == 1)
                    let intent = mediaType == "voice" ? "CALL" : mediaType.uppercased()
                    #expect(results[0]["intent"] as? String == intent)
                    #expect(results[0]["formula"] as? String == "BEST")
                    let seconds = try #require(results[0]["estimatedWaitTimeSeconds"] as? Int)
                    #expect((0...600).contains(seconds))
                    #expect(seconds == sim.estimatedWait(queueID: queue.id, mediaType: mediaType))
                }
                #expect(
                    sim.estimatedWait(queueID: queue.id, mediaType: "call")
                        == sim.estimatedWait(queueID: queue.id, mediaType: "voice"))
            }
            // Counted under the template, not the concrete path.
            #expect(sim.counters().apiRequests(path: Self.template, status: 200) == 18)
            #expect(sim.requestLog().last?.path == Self.template)
        }
    }

    @Test func test_estimatedWait_unknownQueue_is404_unknownMediaType_is400() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            let missing = try await sim.get(Self.path("00000000-0000-4000-8000-000000000000", "voice"), token: token)
            #expect(missing.status == 404)
            #expect(missing.errorCode == "not.found")
            #expect(missing.json?["contextId"] != nil)
            let badMedia = try await sim.get(Self.path(sim.queues()[0].id, "fax"), token: token)
            #expect(badMedia.status == 400)
            #expect(badMedia.errorCode == "bad.request")
            // A path that only looks like the template is not found.
            let tooShort = try await sim.get(
                "/api/v2/routing/queues/\(sim.queues()[0].id)/mediatypes/voice", token: token)
            #expect(tooShort.status == 404)
            #expect(sim.estimatedWait(queueID: "nope", mediaType: "voice") == nil)
            #expect(sim.estimatedWait(queueID: sim.queues()[0].id, mediaType: "fax") == nil)
        }
    }

    @Test func test_estimatedWait_permissionFaultsAndMethod() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            let path = Self.path(sim.queues()[0].id, "chat")
            sim.setMissingPermissions(["routing:queue:view"])
            let forbidden = try await sim.get(path, token: token)
            #expect(forbidden.status == 403)
            #expect(forbidden.errorCode == "missing.permissions")
            sim.setMissingPermissions([])
            // A fault rule may name the template or the concrete path.
            sim.inject(.status(503), path: Self.template, count: 1)
            #expect(try await sim.get(path, token: token).status == 503)
            sim.inject(.status(500), path: path, count: 1)
            #expect(try await sim.get(path, token: token).status == 500)
            #expect(try await sim.get(path, token: token).status == 200)
            let post = try await sim.request("POST", path, headers: [bearer(token)])
            #expect(post.status == 405)
            let anonymous = try await sim.request("GET", path)
            #expect(anonymous.status == 401)
            #expect(sim.counters().apiRequests(path: Self.template) == 6)
        }
    }
}
