import GenesysSimulator
import SimulatorTestSupport
import Testing

@Suite("GET /api/v2/routing/queues")
struct QueuePagingTests {
    private func page(_ sim: GenesysSimulator, token: String, _ query: String) async throws -> [String: Any] {
        let reply = try await sim.get("/api/v2/routing/queues?\(query)", token: token)
        guard reply.status == 200, let body = reply.json else { throw TestFailure("\(reply.status) \(reply.text)") }
        return body
    }

    private func ids(_ page: [String: Any]) -> [String] {
        (page["entities"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    @Test func test_emptyCatalog_hasNoEntitiesAndNoNeighbours() async throws {
        try await withSimulator(SimulatorConfiguration(queueCount: 0)) { sim in
            let body = try await page(sim, token: try await sim.clientToken(), "")
            #expect(ids(body).isEmpty)
            #expect(body["total"] as? Int == 0)
            #expect(body["pageCount"] as? Int == 0)
            #expect(body["pageSize"] as? Int == 25)
            #expect(body["pageNumber"] as? Int == 1)
            #expect(body["nextUri"] == nil)
            #expect(body["previousUri"] == nil)
        }
    }

    @Test func test_exactlyOnePage() async throws {
        try await withSimulator(SimulatorConfiguration(queueCount: 25)) { sim in
            let body = try await page(sim, token: try await sim.clientToken(), "pageSize=25&pageNumber=1")
            #expect(ids(body).count == 25)
            #expect(body["pageCount"] as? Int == 1)
            #expect(body["nextUri"] == nil)
            #expect(body["previousUri"] == nil)
            #expect(body["lastUri"] as? String == "/api/v2/routing/queues?pageSize=25&pageNumber=1")
        }
    }

    @Test func test_57Queues_in3PagesOf25() async throws {
        try await withSimulator(SimulatorConfiguration(queueCount: 57)) { sim in
            let token = try await sim.clientToken()
            let pages = [
                try await page(sim, token: token, "pageSize=25&pageNumber=1"),
                try await page(sim, token: token, "pageSize=25&pageNumber=2"),
                try await page(sim, token: token, "pageSize=25&pageNumber=3"),
            ]
            #expect(pages.map { ids($0).count } == [25, 25, 7])
            #expect(pages.allSatisfy { $0["total"] as? Int == 57 && $0["pageCount"] as? Int == 3 })
            #expect(pages[0]["nextUri"] as? String == "/api/v2/routing/queues?pageSize=25&pageNumber=2")
            #expect(pages[0]["previousUri"] == nil)
            #expect(pages[1]["previousUri"] as? String == "/api/v2/routing/queues?pageSize=25&pageNumber=1")
            #expect(pages[1]["nextUri"] as? String == "/api/v2/routing/queues?pageSize=25&pageNumber=3")
            #expect(pages[2]["nextUri"] == nil)
            #expect(pages[2]["selfUri"] as? String == "/api/v2/routing/queues?pageSize=25&pageNumber=3")
            #expect(pages[2]["firstUri"] as? String == "/api/v2/routing/queues?pageSize=25&pageNumber=1")
            let all = pages.flatMap(ids)
            #expect(Set(all).count == 57)
            #expect(all == sim.queues().map(\.id))
        }
    }

    @Test func test_pagePastTheEnd_isEmptyWithTotal() async throws {
        try await withSimulator(SimulatorConfiguration(queueCount: 57)) { sim in
            let body = try await page(sim, token: try await sim.clientToken(), "pageSize=25&pageNumber=9")
            #expect(ids(body).isEmpty)
            #expect(body["total"] as? Int == 57)
            #expect(body["nextUri"] == nil)
            #expect(body["previousUri"] as? String == "/api/v2/routing/queues?pageSize=25&pageNumber=8")
        }
    }

    @Test(arguments: ["pageSize=501", "pageSize=0", "pageSize=abc", "pageNumber=0", "pageNumber=x"])
    func test_badPaging_is400BadRequest(query: String) async throws {
        try await withSimulator { sim in
            let reply = try await sim.get("/api/v2/routing/queues?\(query)", token: try await sim.clientToken())
            #expect(reply.status == 400)
            #expect(reply.errorCode == "bad.request")
        }
    }

    @Test func test_queueObjects_haveRealFieldsAndAnAwkwardName() async throws {
        try await withSimulator { sim in
            let body = try await page(sim, token: try await sim.clientToken(), "pageSize=500")
            let entities = try #require(body["entities"] as? [[String: Any]])
            #expect(entities.count == 40)
            let first = entities[0]
            for field in [
                "id", "name", "division", "memberCount", "userMemberCount", "joinedMemberCount",
                "mediaSettings", "dateCreated", "selfUri",
            ] {
                #expect(first[field] != nil, "missing \(field)")
            }
            #expect((first["division"] as? [String: Any])?["name"] as? String == "Home")
            let names = entities.compactMap { $0["name"] as? String }
            #expect(Set(names).count == 40)
            #expect(
                names.contains { $0.contains("\"") && $0.contains("\\") && $0.unicodeScalars.contains { !$0.isASCII } })
            let catalog = sim.queues()
            #expect(entities.compactMap { $0["memberCount"] as? Int } == catalog.map(\.memberCount))
            #expect(
                catalog.allSatisfy {
                    $0.joinedMemberCount <= $0.userMemberCount && $0.userMemberCount <= $0.memberCount
                })
        }
    }

    @Test func test_largeCatalog_isStableAndUnique() async throws {
        try await withSimulator(SimulatorConfiguration(queueCount: 10_000)) { sim in
            let catalog = sim.queues()
            #expect(catalog.count == 10_000)
            #expect(Set(catalog.map(\.id)).count == 10_000)
            #expect(Set(catalog.map(\.name)).count == 10_000)
            let uuidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
            #expect(catalog.allSatisfy { $0.id.wholeMatch(of: uuidShape) != nil })
            let last = try await page(sim, token: try await sim.clientToken(), "pageSize=500&pageNumber=20")
            #expect(ids(last) == catalog.suffix(500).map(\.id))

            sim.setQueueCount(3)
            #expect(sim.queues().map(\.id) == Array(catalog.prefix(3).map(\.id)))
            #expect(sim.configuration.queueCount == 3)
        }
    }

    @Test func test_missingPermission_is403() async throws {
        try await withSimulator { sim in
            sim.setMissingPermissions(["routing:queue:view"])
            let reply = try await sim.get("/api/v2/routing/queues", token: try await sim.clientToken())
            #expect(reply.status == 403)
            #expect(reply.errorCode == "missing.permissions")
            #expect(
                reply.json?["message"] as? String
                    == "You are missing the following permission(s): routing:queue:view")
        }
    }
}
