import Foundation
import GenesysSimulator
import SimulatorTestSupport
import Testing

@Suite("POST /api/v2/analytics/conversations/aggregates/query")
struct AggregateTests {
    static let path = "/api/v2/analytics/conversations/aggregates/query"
    static let mediaTypes = ["voice", "chat", "email", "callback", "message"]
    /// 2026-11-27T10:00:00Z in Unix ms.
    static let tenAM: Int64 = 1_795_773_600_000
    static let minute: Int64 = 60_000

    @Test func test_aggregates_addUpOverConsecutiveIntervals() async throws {
        let clock = ManualWallClock(noonNov27)
        try await withSimulator(configuration(wallClock: clock)) { sim in
            let token = try await sim.clientToken()
            let ids = sim.queues().prefix(4).map(\.id)
            // Uneven, consecutive pieces of 10:00–11:00.
            let cuts: [Int64] = [0, 1, 2, 9, 10, 37, 60].map { Self.tenAM + $0 * Self.minute }
            var pieces: [AggregateTable] = []
            for (from, to) in zip(cuts, cuts.dropFirst()) {
                pieces.append(try await sim.aggregateTable(ids, from: from, to: to, token: token))
            }
            let union = try await sim.aggregateTable(ids, from: cuts.first!, to: cuts.last!, token: token)
            #expect(!union.isEmpty)
            for id in ids {
                for mediaType in Self.mediaTypes {
                    let group = "\(id)/\(mediaType)"
                    for metric in queueMetrics {
                        for key in metric.hasPrefix("t") ? ["count", "sum"] : ["count"] {
                            let summed = pieces.reduce(Int64(0)) { $0 + stat($1, group, metric, key) }
                            #expect(summed == stat(union, group, metric, key), "\(group) \(metric) \(key)")
                        }
                    }
                    // The wire agrees with the public truth.
                    let truth = try #require(
                        sim.aggregateTotals(
                            queueID: id, mediaType: mediaType, fromUnixMillis: cuts.first!, toUnixMillis: cuts.last!))
                    #expect(stat(union, group, "nOffered") == Int64(truth.offered))
                    #expect(stat(union, group, "tWait") == Int64(truth.offered))
                    #expect(stat(union, group, "tWait", "sum") == truth.waitMillis)
                    #expect(stat(union, group, "tAnswered") == Int64(truth.answered))
                    #expect(stat(union, group, "tAnswered", "sum") == truth.answerMillis)
                    #expect(stat(union, group, "tAbandon") == Int64(truth.abandoned))
                    #expect(stat(union, group, "tShortAbandon") == Int64(truth.shortAbandoned))
                    #expect(stat(union, group, "nOverSla") == Int64(truth.overSla))
                    #expect(stat(union, group, "tHandle") == Int64(truth.handled))
                    #expect(stat(union, group, "tHandle", "sum") == truth.handleMillis)
                }
            }
        }
    }

    @Test func test_aggregateTotals_areConsistentAndAdditive() throws {
        let sim = GenesysSimulator()
        for queue in sim.queues().prefix(4) {
            for mediaType in Self.mediaTypes {
                var running = SimulatedAggregate()
                // Two days in minutes: every piece is consistent; the pieces add up to the whole.
                let start = Self.tenAM - 86_400_000
                for step in 0..<Int64(2 * 1440) {
                    let from = start + step * Self.minute
                    let piece = try #require(
                        sim.aggregateTotals(
                            queueID: queue.id, mediaType: mediaType, fromUnixMillis: from,
                            toUnixMillis: from + Self.minute))
                    #expect(piece.answered + piece.abandoned <= piece.offered)
                    #expect(piece.shortAbandoned <= piece.abandoned)
                    #expect(piece.overSla <= piece.answered)
                    #expect(piece.answerMillis >= Int64(piece.answered) * 1000)
                    #expect(piece.waitMillis >= Int64(piece.offered) * 1000)
                    #expect(piece.handleMillis >= Int64(piece.handled) * 1000)
                    running.offered += piece.offered
                    running.answered += piece.answered
                    running.handled += piece.handled
                    running.answerMillis += piece.answerMillis
                    running.handleMillis += piece.handleMillis
                    running.waitMillis += piece.waitMillis
                }
                let whole = try #require(
                    sim.aggregateTotals(
                        queueID: queue.id, mediaType: mediaType, fromUnixMillis: start,
                        toUnixMillis: start + 2 * 1440 * Self.minute))
                #expect(whole.offered == running.offered)
                #expect(whole.answered == running.answered)
                #expect(whole.handled == running.handled)
                #expect(whole.answerMillis == running.answerMillis)
                #expect(whole.handleMillis == running.handleMillis)
                #expect(whole.waitMillis == running.waitMillis)
                // Handling ends a few minutes after the answer: over two days they nearly agree.
                #expect(abs(whole.handled - whole.answered) <= max(3, whole.answered / 50))
            }
        }
        let voiceDay = try #require(
            sim.aggregateTotals(
                queueID: sim.queues()[0].id, mediaType: "voice", fromUnixMillis: Self.tenAM,
                toUnixMillis: Self.tenAM + 86_400_000))
        // 0.005–0.2 offered per second.
        #expect((432...17_280).contains(voiceDay.offered))
        #expect(sim.aggregateTotals(queueID: "nope", mediaType: "voice", fromUnixMillis: 0, toUnixMillis: 1) == nil)
        #expect(
            sim.aggregateTotals(queueID: sim.queues()[0].id, mediaType: "fax", fromUnixMillis: 0, toUnixMillis: 1)
                == nil)
    }

    @Test func test_aggregates_settleDelayHidesRecentEvents() async throws {
        let clock = ManualWallClock(noonNov27)
        let now = Int64(noonNov27) * 1000
        var settings = configuration(wallClock: clock)
        settings.aggregateSettleDelay = .seconds(1800)
        try await withSimulator(settings) { sim in
            let token = try await sim.clientToken()
            let queue = sim.queues()[0].id
            let hour: Int64 = 3_600_000
            let group = "\(queue)/voice"
            let truthHour = try #require(
                sim.aggregateTotals(queueID: queue, mediaType: "voice", fromUnixMillis: now - hour, toUnixMillis: now))
            let truthSettled = try #require(
                sim.aggregateTotals(
                    queueID: queue, mediaType: "voice", fromUnixMillis: now - hour, toUnixMillis: now - hour / 2))
            #expect(truthSettled.offered < truthHour.offered)

            // The last half hour has not arrived yet.
            var seen = try await sim.aggregateTable([queue], from: now - hour, to: now, token: token)
            #expect(stat(seen, group, "nOffered") == Int64(truthSettled.offered))
            #expect(stat(seen, group, "tWait", "sum") == truthSettled.waitMillis)

            // An interval entirely in the unsettled part shows nothing at all.
            let recent = try await sim.aggregates(
                [queue], interval: isoMillis(now - hour / 4) + "/" + isoMillis(now), token: token)
            #expect(recent.status == 200)
            #expect(recent.json?.isEmpty == true)

            // Time passes: the late events arrive.
            clock.advance(by: 1800)
            seen = try await sim.aggregateTable([queue], from: now - hour, to: now, token: token)
            #expect(stat(seen, group, "nOffered") == Int64(truthHour.offered))

            // Without a delay, everything up to the wall clock is visible.
            clock.set(noonNov27)
            sim.setAggregateSettleDelay(.zero)
            seen = try await sim.aggregateTable([queue], from: now - hour, to: now, token: token)
            #expect(stat(seen, group, "nOffered") == Int64(truthHour.offered))
            #expect(stat(seen, group, "tHandle") == Int64(truthHour.handled))
            // The future has not happened.
            let future = try await sim.aggregates(
                [queue], interval: isoMillis(now) + "/" + isoMillis(now + hour), token: token)
            #expect(future.json?.isEmpty == true)
        }
    }

    @Test func test_aggregates_serviceLevelFields() async throws {
        let clock = ManualWallClock(noonNov27)
        try await withSimulator(configuration(wallClock: clock)) { sim in
            let token = try await sim.clientToken()
            let ids = sim.queues().prefix(8).map(\.id)
            let midnight = Int64(noonNov27) * 1000 - 12 * 3_600_000
            let now = Int64(noonNov27) * 1000
            let table = try await sim.aggregateTable(
                ids, from: midnight, to: now, metrics: ["oServiceLevel", "oServiceTarget"], token: token)
            var targets: Set<Double> = []
            for id in ids {
                let target = try #require(sim.serviceTarget(queueID: id))
                targets.insert(target)
                for mediaType in Self.mediaTypes {
                    let truth = try #require(
                        sim.aggregateTotals(
                            queueID: id, mediaType: mediaType, fromUnixMillis: midnight, toUnixMillis: now))
                    let group = try #require(table["\(id)/\(mediaType)"])
                    #expect(Set(group.keys) == ["oServiceLevel", "oServiceTarget"])
                    #expect(group["oServiceTarget"]?["current"] as? Double == target)
                    let level = try #require(group["oServiceLevel"])
                    let numerator = truth.answered - truth.overSla
                    let denominator = truth.answered + truth.abandoned - truth.shortAbandoned
                    #expect(level["numerator"] as? Int == numerator)
                    #expect(level["denominator"] as? Int == denominator)
                    let ratio = try #require(level["ratio"] as? Double)
                    #expect(abs(ratio - Double(numerator) / Double(denominator)) < 1e-9)
                    #expect((0...1).contains(ratio))
                    #expect(level["target"] as? Double == target)
                }
            }
            #expect(targets.isSubset(of: [0.7, 0.8, 0.9]))
            #expect(sim.serviceTarget(queueID: "nope") == nil)
        }
    }

    @Test func test_aggregates_metricsAreInRequestOrder_andTimersCarryMinMax() async throws {
        let clock = ManualWallClock(noonNov27)
        try await withSimulator(configuration(wallClock: clock)) { sim in
            let queue = sim.queues()[1].id
            let reply = try await sim.aggregates(
                [queue], interval: "2026-11-27T08:00:00Z/2026-11-27T11:00:00.000Z", metrics: ["tWait", "nOffered"],
                token: try await sim.clientToken())
            #expect(reply.status == 200)
            let results = try #require(reply.json?["results"] as? [[String: Any]])
            let voice = try #require(results.first { ($0["group"] as? [String: String])?["mediaType"] == "voice" })
            let data = try #require(voice["data"] as? [[String: Any]])
            #expect(data.first?["interval"] as? String == "2026-11-27T08:00:00Z/2026-11-27T11:00:00.000Z")
            let metrics = try #require(data.first?["metrics"] as? [[String: Any]])
            #expect(metrics.compactMap { $0["metric"] as? String } == ["tWait", "nOffered"])
            let wait = try #require(metrics[0]["stats"] as? [String: Any])
            let count = try #require(wait["count"] as? Int)
            let sum = try #require(wait["sum"] as? Int)
            let low = try #require(wait["min"] as? Int)
            let high = try #require(wait["max"] as? Int)
            #expect(count > 0 && low <= sum / count && sum / count <= high)
            #expect((metrics[1]["stats"] as? [String: Any])?.keys.sorted() == ["count"])
        }
    }

    @Test func test_aggregates_nothingToReport_isEmptyObject() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            // Before the simulated history starts, and for queues that do not exist.
            let before = try await sim.aggregates(
                [sim.queues()[0].id], interval: "2025-06-01T00:00:00.000Z/2025-06-02T00:00:00.000Z", token: token)
            #expect(before.status == 200)
            #expect(before.text == "{}")
            let unknown = try await sim.aggregates(
                ["00000000-0000-4000-8000-000000000000"], interval: "2026-11-27T00:00:00Z/2026-11-27T01:00:00Z",
                token: token)
            #expect(unknown.text == "{}")
        }
    }

    @Test(arguments: [
        "2026-11-27T10:01:00.000Z/2026-11-27T10:00:00.000Z",  // end before start
        "2026-11-27T10:00:00.000Z/2026-11-27T10:00:00.000Z",  // empty
        "2026-11-20T10:00:00.000Z/2026-11-27T10:00:00.001Z",  // longer than 7 days
        "1999-12-31T23:00:00.000Z/2000-01-01T01:00:00.000Z",  // before 2000
        "2100-12-31T23:00:00.000Z/2101-01-01T01:00:00.000Z",  // after 2100
        "9999999999-01-01T00:00:00Z/2026-01-01T00:00:00Z",
        "2026-13-01T00:00:00.000Z/2026-13-02T00:00:00.000Z",
        "2026-02-29T00:00:00.000Z/2026-03-01T00:00:00.000Z",
        "2026-11-27T24:00:00.000Z/2026-11-28T01:00:00.000Z",
        "2026-11-27T10:00:00.000+01:00/2026-11-27T11:00:00.000Z",
        "2026-11-27T10:00:00.0000000000Z/2026-11-27T11:00:00Z",
        "2026-11-27T10:00:00.Z/2026-11-27T11:00:00Z",
        "2026-11-27T10:00:00Z",
        "2026-11-27T10:00:00Z/2026-11-27T11:00:00Z/2026-11-27T12:00:00Z",
        "P1D/2026-11-27T11:00:00Z",
        "",
    ])
    func test_aggregates_badInterval_is400(interval: String) async throws {
        try await withSimulator { sim in
            let reply = try await sim.aggregates(
                [sim.queues()[0].id], interval: interval, token: try await sim.clientToken())
            #expect(reply.status == 400)
            #expect(reply.errorCode == "bad.request")
        }
    }

    @Test func test_aggregates_unknownMetric_is400() async throws {
        try await withSimulator { sim in
            let reply = try await sim.aggregates(
                [sim.queues()[0].id], interval: "2026-11-27T10:00:00Z/2026-11-27T11:00:00Z",
                metrics: ["nOffered", "tBogus"], token: try await sim.clientToken())
            #expect(reply.status == 400)
            #expect(reply.json?["message"] as? String == "Invalid metric: tBogus.")
        }
    }

    @Test func test_aggregates_tooManyPredicates_is400() async throws {
        try await withSimulator(SimulatorConfiguration(queueCount: 150)) { sim in
            let token = try await sim.clientToken()
            let ids = sim.queues().map(\.id)
            let interval = "2026-11-27T10:00:00Z/2026-11-27T10:01:00Z"
            #expect(try await sim.aggregates(Array(ids.prefix(100)), interval: interval, token: token).status == 200)
            let over = try await sim.aggregates(Array(ids.prefix(101)), interval: interval, token: token)
            #expect(over.status == 400)
            #expect(over.errorCode == "bad.request")
        }
    }

    @Test(arguments: [
        "not json", "{}",
        #"{"interval":"2026-11-27T10:00:00Z/2026-11-27T11:00:00Z","groupBy":["queueId","mediaType"],"metrics":["nOffered"]}"#,
        #"{"interval":"2026-11-27T10:00:00Z/2026-11-27T11:00:00Z","groupBy":["userId"],"filter":{"type":"or","predicates":[{"type":"dimension","dimension":"queueId","value":"x"}]},"metrics":["nOffered"]}"#,
        #"{"interval":"2026-11-27T10:00:00Z/2026-11-27T11:00:00Z","groupBy":["queueId","mediaType"],"filter":{"type":"or","predicates":[{"type":"dimension","dimension":"queueId","value":"x"}]},"metrics":[]}"#,
        #"{"interval":20261127,"groupBy":["queueId","mediaType"],"filter":{"type":"or","predicates":[{"type":"dimension","dimension":"queueId","value":"x"}]},"metrics":["nOffered"]}"#,
    ])
    func test_aggregates_malformedQuery_is400(body: String) async throws {
        try await withSimulator { sim in
            let reply = try await sim.request(
                "POST", Self.path, headers: [bearer(try await sim.clientToken())], body: Array(body.utf8))
            #expect(reply.status == 400)
            #expect(reply.errorCode == "bad.request")
        }
    }

    @Test func test_aggregates_missingPermission_is403() async throws {
        try await withSimulator { sim in
            sim.setMissingPermissions(["analytics:conversationAggregate:view"])
            let reply = try await sim.aggregates(
                [sim.queues()[0].id], interval: "2026-11-27T10:00:00Z/2026-11-27T11:00:00Z",
                token: try await sim.clientToken())
            #expect(reply.status == 403)
            #expect(reply.errorCode == "missing.permissions")
            #expect(sim.counters().apiRequests(path: Self.path, status: 403) == 1)
        }
    }

    @Test func test_aggregates_faultsAndRateLimitApply() async throws {
        try await withSimulator(SimulatorConfiguration(rateLimitPerMinute: 2)) { sim in
            let token = try await sim.clientToken()
            let interval = "2026-11-27T10:00:00Z/2026-11-27T11:00:00Z"
            sim.inject(.status(503), path: Self.path, count: 1)
            #expect(try await sim.aggregates([sim.queues()[0].id], interval: interval, token: token).status == 503)
            #expect(try await sim.aggregates([sim.queues()[0].id], interval: interval, token: token).status == 200)
            #expect(try await sim.aggregates([sim.queues()[0].id], interval: interval, token: token).status == 200)
            let limited = try await sim.aggregates([sim.queues()[0].id], interval: interval, token: token)
            #expect(limited.status == 429)
            #expect(limited.header("Retry-After") != nil)
        }
    }
}
