import GenesysBaseTestSupport
import GenesysSimulator
import GenesysTestSupport
import SimulatorTestSupport
import Testing

/// The flows and data_actions collectors against the simulator's event-time model, in virtual time (as the queue
/// service tests): the sums of the polled windows equal the simulator's totals for every counter, across a restart
/// and an outage.
@Suite("Flow and data action metrics: aggregates windows")
struct FlowMetricsTests {
    static let flowAggregatesPath = "/api/v2/analytics/flows/aggregates/query"
    static let actionAggregatesPath = "/api/v2/analytics/actions/aggregates/query"
    static let flowCounters: [(name: String, truth: @Sendable (SimulatedFlowAggregate) -> Double)] = [
        ("genesys_flow_entries_total", { Double($0.entered) }),
        ("genesys_flow_outcomes_total", { Double($0.outcomes) }),
        ("genesys_flow_outcomes_failed_total", { Double($0.failedOutcomes) }),
        ("genesys_flow_disconnects_total", { Double($0.disconnects) }),
        ("genesys_flow_disconnect_seconds_total", { Double($0.disconnectMillis) / 1000 }),
        ("genesys_flow_exits_total", { Double($0.exits) }),
        ("genesys_flow_exit_seconds_total", { Double($0.exitMillis) / 1000 }),
    ]

    static func windowEnd(_ scrape: Exposition) -> Double? {
        guard let flows = scrape.value("genesys_flows_window_end_timestamp_seconds"),
            let actions = scrape.value("genesys_data_actions_window_end_timestamp_seconds")
        else { return nil }
        return min(flows, actions)
    }

    /// One exporter run of `polls` one-minute polls of both collectors; the polls in `outage` are refused (403, both
    /// aggregates permissions missing). Returns the span counted (Unix milliseconds) and the last scrape.
    static func run(
        _ sim: GenesysSimulator, clock: ManualClock, polls: Int, outage: ClosedRange<Int>? = nil
    ) async throws -> (from: Int64, to: Int64, scrape: Exposition) {
        let settings = try sim.orgSettings(pollInterval: .seconds(60), collectors: ["flows", "data_actions"])
        let exporter = try await RunningExporter(settings, clock: clock)
        do {
            var scrape = try await exporter.scrape(until: "the first poll") { (windowEnd($0) ?? 0) > 0 }
            let from = Int64(windowEnd(scrape)! * 1000)
            for poll in 1...polls {
                let before = windowEnd(scrape)!
                let refused = outage?.contains(poll) ?? false
                let failuresBefore = failures(scrape)
                sim.setMissingPermissions(
                    refused ? ["analytics:flowAggregate:view", "analytics:actionAggregate:view"] : [])
                // The token loop and both collectors asleep: no poll in flight when time jumps past the next one.
                try await awaitCondition("every loop asleep before poll \(poll)") { clock.sleeperCount == 3 }
                clock.advance(by: .seconds(70))
                if refused {
                    scrape = try await exporter.scrape(until: "poll \(poll) refused") {
                        failures($0) >= failuresBefore + 2
                    }
                    #expect(windowEnd(scrape) == before, "a refused poll counts no window")
                } else {
                    scrape = try await exporter.scrape(until: "poll \(poll) counted") { (windowEnd($0) ?? 0) > before }
                }
            }
            await exporter.stop()
            return (from, Int64(windowEnd(scrape)! * 1000), scrape)
        } catch {
            await exporter.stop()
            throw error
        }
    }

    static func failures(_ scrape: Exposition) -> Double {
        [flowAggregatesPath, actionAggregatesPath].reduce(0) { sum, path in
            sum + (scrape.value("genesys_api_failures_total", ["endpoint": path, "reason": "forbidden"]) ?? 0)
        }
    }

    static func expectCountersMatch(_ sim: GenesysSimulator, _ scrape: Exposition, from: Int64, to: Int64) {
        var nonZero = 0
        for flow in sim.flows() {
            let truth = sim.flowTotals(flowID: flow.id, fromUnixMillis: from, toUnixMillis: to)!
            for counter in flowCounters {
                let expected = counter.truth(truth)
                let exported = scrape.value(counter.name, ["flow_id": flow.id, "flow_name": flow.name]) ?? 0
                #expect(
                    abs(exported - expected) <= 1e-6 * max(1, expected),
                    "\(counter.name) \(flow.name): \(exported) exported, \(expected) happened")
                if expected > 0 { nonZero += 1 }
            }
        }
        for action in sim.actions() {
            let truth = sim.actionTotals(actionID: action.id, fromUnixMillis: from, toUnixMillis: to)!
            let labels = ["action_id": action.id, "action_name": action.name]
            var expectations: [(String, [String: String], Double)] = [
                ("genesys_data_action_executions_total", labels, Double(truth.executions)),
                ("genesys_data_action_execution_seconds_total", labels, Double(truth.executionMillis) / 1000),
            ]
            for (errorType, count) in truth.errors {
                expectations.append(
                    (
                        "genesys_data_action_errors_total", labels.merging(["error_type": errorType]) { a, _ in a },
                        Double(count)
                    ))
            }
            for (name, labels, expected) in expectations {
                let exported = scrape.value(name, labels) ?? 0
                #expect(
                    abs(exported - expected) <= 1e-6 * max(1, expected),
                    "\(name) \(labels): \(exported) exported, \(expected) happened")
                if expected > 0 { nonZero += 1 }
            }
        }
        #expect(nonZero > 0, "the span had traffic")
    }

    @Test func test_windows_sumToTheSimulatorsTotals_acrossPollsAndARestart() async throws {
        let clock = ManualClock()
        var configuration = SimulatorConfiguration(queueCount: 0, flowCount: 7, actionCount: 5).judgingTime(by: clock)
        configuration.wallNow = { clock.unixNow }
        try await withSimulator(configuration) { sim in
            let first = try await Self.run(sim, clock: clock, polls: 12)
            #expect(first.to - first.from >= 12 * 60_000, "twelve polls counted at least twelve minutes")
            Self.expectCountersMatch(sim, first.scrape, from: first.from, to: first.to)
            #expect(first.scrape.types["genesys_flow_entries_total"] == "counter")
            // A restart counts from its own start: nothing before it is replayed.
            clock.advance(by: .seconds(30))
            let second = try await Self.run(sim, clock: clock, polls: 4)
            #expect(second.from >= first.to, "the restarted exporter does not replay the first one's span")
            Self.expectCountersMatch(sim, second.scrape, from: second.from, to: second.to)
        }
    }

    @Test func test_anOutage_isCaughtUpByTheNextWindow_withNothingCountedTwice() async throws {
        let clock = ManualClock()
        var configuration = SimulatorConfiguration(queueCount: 0, flowCount: 5, actionCount: 4).judgingTime(by: clock)
        configuration.wallNow = { clock.unixNow }
        try await withSimulator(configuration) { sim in
            let run = try await Self.run(sim, clock: clock, polls: 8, outage: 3...5)
            #expect(run.to - run.from >= 8 * 60_000, "the windows after the outage cover it")
            Self.expectCountersMatch(sim, run.scrape, from: run.from, to: run.to)
        }
    }

    @Test func test_firstPoll_countsNothing_butCreatesTheSeriesOfRecentTrafficAtZero() async throws {
        let clock = ManualClock()
        var configuration = SimulatorConfiguration(queueCount: 0, flowCount: 4, actionCount: 3).judgingTime(by: clock)
        configuration.wallNow = { clock.unixNow }
        try await withExporter(
            configuration, clock: clock,
            settings: { try $0.orgSettings(pollInterval: .seconds(3600), collectors: ["flows", "data_actions"]) }
        ) { sim, exporter in
            let scrape = try await exporter.scrape(until: "the first poll") { (Self.windowEnd($0) ?? 0) > 0 }
            for counter in Self.flowCounters {
                #expect(scrape.samples(counter.name).count == sim.flows().count, "\(counter.name) for every flow")
                #expect(scrape.sum(counter.name) == 0, "\(counter.name): no history replayed")
            }
            #expect(scrape.samples("genesys_data_action_executions_total").count == sim.actions().count)
            #expect(
                scrape.samples("genesys_data_action_errors_total").count == sim.actions().count * 2,
                "every action's two error types")
            #expect(scrape.sum("genesys_data_action_errors_total") == 0)
            let flow = sim.flows()[0]
            #expect(scrape.value("genesys_flow_entries_total", ["flow_id": flow.id])?.isZero == true)
            #expect(
                scrape.samples("genesys_flow_entries_total", ["flow_id": flow.id]).first?.labels["flow_type"]
                    == "inboundcall")
        }
    }

    @Test func test_unknownFlowType_isUnknown_andHostileErrorTypes_foldIntoOther() async throws {
        let clock = ManualClock()
        var configuration = SimulatorConfiguration(queueCount: 0, flowCount: 2, actionCount: 1).judgingTime(by: clock)
        configuration.wallNow = { clock.unixNow }
        try await withSimulator(configuration) { sim in
            sim.setFlowType(index: 1, "HOLOGRAMCALL")
            let hostile = ["bad\nline", String(repeating: "x", count: 65), "other"]
            let wellFormed = (1...25).map { "E\($0)" }
            sim.setActionErrorTypes(hostile + wellFormed)
            let run = try await Self.run(sim, clock: clock, polls: 2)
            let flow = sim.flows()[1]
            #expect(
                run.scrape.samples("genesys_flow_entries_total", ["flow_id": flow.id]).first?.labels["flow_type"]
                    == "unknown")
            let labels = Set(
                run.scrape.samples("genesys_data_action_errors_total").compactMap { $0.labels["error_type"] })
            #expect(labels.count <= 21, "at most 20 error types and other")
            #expect(labels.contains("other"))
            #expect(!labels.contains("bad\nline"))
            // Folding keeps the total: every failure is counted under some label.
            let action = sim.actions()[0]
            let truth = sim.actionTotals(actionID: action.id, fromUnixMillis: run.from, toUnixMillis: run.to)!
            let exported = run.scrape.sum("genesys_data_action_errors_total")
            #expect(exported == Double(truth.errors.values.reduce(0, +)))
        }
    }

    /// The action listing asks for 500 a page; a Genesys that refuses it (400) costs one refused request, and every
    /// listing from then on asks for 100: all 250 actions are listed either way.
    @Test func test_actionListing_fallsBackTo100APage_whenTheLargerPageIsRefused() async throws {
        let clock = ManualClock()
        var configuration = SimulatorConfiguration(queueCount: 0, flowCount: 0, actionCount: 250).judgingTime(by: clock)
        configuration.wallNow = { clock.unixNow }
        try await withSimulator(configuration) { sim in
            sim.setActionListingMaxPageSize(100)
            let settings = try sim.orgSettings(pollInterval: .seconds(60), collectors: ["data_actions"])
            let exporter = try await RunningExporter(settings, clock: clock)
            do {
                var scrape = try await exporter.scrape(until: "the first poll") {
                    ($0.value("genesys_data_actions_window_end_timestamp_seconds") ?? 0) > 0
                }
                #expect(scrape.samples("genesys_data_action_executions_total").count == 250)
                try await awaitCondition("both loops asleep") { clock.sleeperCount == 2 }
                let before = scrape.value("genesys_data_actions_window_end_timestamp_seconds")!
                clock.advance(by: .seconds(70))
                scrape = try await exporter.scrape(until: "the second poll") {
                    ($0.value("genesys_data_actions_window_end_timestamp_seconds") ?? 0) > before
                }
                await exporter.stop()
            } catch {
                await exporter.stop()
                throw error
            }
            let listings = sim.requestLog().filter { $0.path == "/api/v2/integrations/actions" }
            let sizes = listings.map { $0.query["pageSize"] ?? "" }
            #expect(sizes == ["500", "100", "100", "100", "100", "100", "100"], "one refused page, then 100 a page")
        }
    }
}
