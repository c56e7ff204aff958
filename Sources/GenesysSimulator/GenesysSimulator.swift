import NIOCore
import Synchronization

/// Errors from starting the simulator.
package enum SimulatorError: Error, Equatable, CustomStringConvertible {
    /// `start` was called on a simulator that is running or was shut down.
    case alreadyStarted

    package var description: String {
        switch self {
        case .alreadyStarted: "the simulator was already started (a GenesysSimulator starts at most once)"
        }
    }
}

/// A fake Genesys Cloud (login host and Platform API on one loopback port) with fault switches and counters.
package final class GenesysSimulator: Sendable {
    private enum Lifecycle: Sendable {
        case idle
        case starting
        case running(SimulatorServer, baseHost: String)
        case stopped
    }

    /// Internal, not private: the notification switches (`NotificationSwitches.swift`) reach it too.
    let core: SimulatorCore
    private let lifecycle = Mutex(Lifecycle.idle)

    /// Creates a stopped simulator; call `start` to listen.
    package init(configuration: SimulatorConfiguration = .init()) {
        self.core = SimulatorCore(configuration: configuration)
    }

    /// Binds the port (0 picks a free one) and starts serving; a simulator starts at most once.
    package func start(host: String = "127.0.0.1", port: Int = 0) async throws {
        try lifecycle.withLock { lifecycle in
            guard case .idle = lifecycle else { throw SimulatorError.alreadyStarted }
            lifecycle = .starting
        }
        do {
            let server = try await SimulatorServer.start(host: host, port: port, core: core)
            let stillWanted = lifecycle.withLock { lifecycle in
                guard case .starting = lifecycle else { return false }
                lifecycle = .running(server, baseHost: Self.urlHost(for: host))
                return true
            }
            if stillWanted {
                core.startNotifications(on: server.eventLoop, connectHost: "\(Self.urlHost(for: host)):\(server.port)")
            } else {
                await server.shutdown()
            }
        } catch {
            lifecycle.withLock { $0 = .idle }
            throw error
        }
    }

    /// Runs `body` with a simulator started on a free loopback port, and always shuts it down after.
    package static func withRunning<T>(
        _ configuration: SimulatorConfiguration = .init(), _ body: (GenesysSimulator) async throws -> T
    ) async throws -> T {
        let simulator = GenesysSimulator(configuration: configuration)
        try await simulator.start()
        do {
            let result = try await body(simulator)
            try await simulator.shutdown()
            return result
        } catch {
            try? await simulator.shutdown()
            throw error
        }
    }

    /// Closes the listener and every connection; safe to call more than once.
    package func shutdown() async throws {
        let server: SimulatorServer? = lifecycle.withLock { lifecycle in
            defer { lifecycle = .stopped }
            if case .running(let server, _) = lifecycle { return server }
            return nil
        }
        // Every notification socket gets the close notice first, as Genesys sends one before it drops a socket.
        if server != nil { core.stopNotifications() }
        await server?.shutdown()
    }

    /// The bound port once started (0 before).
    package var port: Int {
        lifecycle.withLock { lifecycle in
            if case .running(let server, _) = lifecycle { return server.port }
            return 0
        }
    }

    /// `http://<host>:<port>`: the API host and the login host alike.
    package var baseURL: String {
        lifecycle.withLock { lifecycle in
            if case .running(let server, let host) = lifecycle { return "http://\(host):\(server.port)" }
            return "http://127.0.0.1:0"
        }
    }

    /// The configuration in force now, including changes made through the switches.
    package var configuration: SimulatorConfiguration {
        core.state.withLock { $0.configuration }
    }

    // MARK: Fault switches

    /// Adds a fault rule for requests to `path` (exact, without query, or a prefix ending in `*`; a route with
    /// `{name}` segments also matches its template, e.g. `/api/v2/routing/queues/{queueId}/mediatypes/…`),
    /// optionally only for `method` and only for requests whose query carries every `query` parameter with
    /// that value (`["pageNumber": "2"]`); `count` nil means until `clearFaults()`. Earlier rules win.
    package func inject(
        _ fault: SimulatorFault, path: String, method: String? = nil, query: [String: String] = [:], count: Int? = nil
    ) {
        core.state.withLock { $0.faults.add(fault, path: path, method: method, query: query, count: count) }
    }

    /// Removes every fault rule.
    package func clearFaults() {
        core.state.withLock { $0.faults.clear() }
    }

    /// Lifetime of tokens issued from now on.
    package func setTokenTTL(_ ttl: Duration) {
        core.state.withLock { $0.configuration.tokenTTL = ttl }
    }

    /// Every access token issued so far answers 401 `bad.credentials` from now on (refresh tokens stay valid).
    package func revokeAllTokens() {
        core.state.withLock { $0.revokeAccessTokens() }
    }

    /// Every refresh token issued so far becomes `invalid_grant`.
    package func revokeRefreshTokens() {
        core.state.withLock { $0.revokeRefreshTokens() }
    }

    /// Requests per minute per access token; nil turns the limit off. Current windows restart.
    package func setRateLimit(perMinute: Int?) {
        core.state.withLock { state in
            state.configuration.rateLimitPerMinute = perMinute
            state.resetRateWindows()
        }
    }

    /// Resizes the queue catalog (clamped to 0...10_000); queue `i` keeps its id and name.
    package func setQueueCount(_ n: Int) {
        let catalog = QueueCatalog(count: n)
        core.state.withLock { state in
            state.catalog = catalog
            state.configuration.queueCount = catalog.queues.count
        }
    }

    /// Edge `index`'s `onlineStatus` and `statusCode` from now on (any text: a value Genesys may add later too).
    package func setEdgeStatus(index: Int, _ status: SimulatedEdgeStatus) {
        core.state.withLock { $0.telephony.edgeStatuses[index] = status }
    }

    /// Flow `index`'s `type` from now on (any text: a value Genesys may add later too).
    package func setFlowType(index: Int, _ type: String) {
        core.state.withLock { $0.flows.typeOverrides[index] = type }
    }

    /// The `errorType` values data-action failures are grouped by from now on (duplicates dropped; empty: actions
    /// never fail). Failures split evenly among them; any text is accepted, to try hostile values.
    package func setActionErrorTypes(_ errorTypes: [String]) {
        var seen: Set<String> = []
        let unique = errorTypes.filter { seen.insert($0).inserted }
        core.state.withLock { $0.actions.errorTypes = unique }
    }

    /// The largest `pageSize` the action listing accepts from now on (nil: the simulator's `maxPageSize`), to stand
    /// for a Genesys that takes fewer actions a page than the exporter first asks for.
    package func setActionListingMaxPageSize(_ size: Int?) {
        core.state.withLock { $0.actions.maxPageSize = size }
    }

    /// The org's other OAuth clients as usage queries started from now on report them.
    package func setOtherClientUsage(_ clients: [SimulatedClientUsage]) {
        core.state.withLock { $0.usage.otherClients = clients }
    }

    /// Fetches of a new usage query's result that answer `Running` first (`Int.max`: it never completes), and
    /// whether new usage queries answer `Failed`.
    package func setUsageQueries(runningFetches: Int, failing: Bool = false) {
        core.state.withLock { state in
            state.usage.runningFetches = max(0, runningFetches)
            state.usage.failing = failing
        }
    }

    /// The org's other OAuth clients as usage queries report them.
    package func otherClientUsage() -> [SimulatedClientUsage] {
        core.state.withLock { $0.usage.otherClients }
    }

    /// The status page component's status from now on (any text, to test values Statuspage may add); an empty
    /// `group` names the ungrouped component. The group's own status follows its worst member.
    package func setStatusPageComponentStatus(group: String, component: String, _ status: String) {
        core.state.withLock { $0.statusPage.statuses[[group, component]] = status }
    }

    /// Adds an unresolved incident to the status page's summary.
    package func addStatusPageIncident(_ incident: SimulatedStatusIncident) {
        core.state.withLock { $0.statusPage.incidents.append(incident) }
    }

    /// Every status page incident gone and every component operational again.
    package func resetStatusPage() {
        core.state.withLock { state in
            state.statusPage.incidents.removeAll()
            state.statusPage.statuses.removeAll()
        }
    }

    /// The status page answers 200 with its HTML maintenance page instead of JSON while `on`.
    package func setStatusPageMaintenance(_ on: Bool) {
        core.state.withLock { $0.statusPage.maintenance = on }
    }

    /// Permissions the client lacks, e.g. `["routing:queue:view"]`: those endpoints answer 403 `missing.permissions`.
    package func setMissingPermissions(_ permissions: Set<String>) {
        core.state.withLock { $0.missingPermissions = permissions }
    }

    /// How long after its event time a conversation event shows up in the aggregates (late-arriving data);
    /// `.zero` shows everything up to the wall clock.
    package func setAggregateSettleDelay(_ delay: Duration) {
        core.state.withLock { $0.configuration.aggregateSettleDelay = delay }
    }

    /// Extra latency on every `/oauth/token` reply (scheduled, not slept).
    package func setTokenEndpointLatency(_ d: Duration) {
        core.state.withLock { $0.tokenEndpointLatency = d }
    }

    /// Rotates the accepted client secret; the old one answers 401 `invalid_client` from now on.
    package func setClientSecret(_ secret: String) {
        core.state.withLock { $0.configuration.clientSecret = secret }
    }

    /// A new refresh token for the simulated authorization-code user.
    package func issueRefreshToken() -> String {
        core.state.withLock { $0.issueRefreshToken() }
    }

    // MARK: Observing the simulator

    /// A snapshot of the counters.
    package func counters() -> SimulatorCounters {
        core.state.withLock { $0.counters.snapshot }
    }

    /// Zeroes the counters (the notification counters too) and empties the request log.
    package func resetCounters() {
        core.state.withLock { state in
            state.counters.reset()
            state.notifications.counters = SimulatedNotificationCounters()
            state.requestLog.clear()
        }
    }

    /// Every request received (the latest 10,000), in arrival order, with the fault it met.
    package func requestLog() -> [SimulatorRequestRecord] {
        core.state.withLock { $0.requestLog.records }
    }

    /// The simulated phones, in paging order.
    package func phones() -> [SimulatedPhone] {
        let count = core.state.withLock { $0.telephony.phoneCount }
        return (0..<count).map { TelephonyCatalog.phone($0) }
    }

    /// The simulated edges' ids, names and statuses, in paging order.
    package func edges() -> [(id: String, name: String, status: SimulatedEdgeStatus)] {
        let catalog = core.state.withLock { $0.telephony }
        return (0..<catalog.edgeCount).map {
            (TelephonyCatalog.edgeID($0), TelephonyCatalog.edgeName($0), catalog.edgeStatus($0))
        }
    }

    /// Calls in progress on trunk `index` (inbound, outbound), as its metrics answer them.
    package func trunkCalls(index: Int) -> (inbound: Int, outbound: Int) { TelephonyCatalog.trunkCalls(index) }

    /// The simulated flows, in paging order.
    package func flows() -> [SimulatedFlow] {
        let catalog = core.state.withLock { $0.flows }
        return (0..<catalog.count).map { catalog.flow($0) }
    }

    /// The simulated data actions, in paging order.
    package func actions() -> [SimulatedAction] {
        let count = core.state.withLock { $0.actions.count }
        return (0..<count).map { ActionCatalog.action($0) }
    }

    /// A flow's totals over `[from, to)` in Unix ms, ignoring the settle delay and the wall clock; nil for an
    /// unknown flow or `to < from`.
    package func flowTotals(flowID: String, fromUnixMillis: Int64, toUnixMillis: Int64) -> SimulatedFlowAggregate? {
        guard let index = core.state.withLock({ $0.flows.index(ofID: flowID) }), fromUnixMillis <= toUnixMillis
        else { return nil }
        return FlowModel.totals(from: fromUnixMillis, to: toUnixMillis, FlowModel.Profile(index: index))
    }

    /// A data action's totals over `[from, to)` in Unix ms with the error types in force now, ignoring the settle
    /// delay and the wall clock; nil for an unknown action or `to < from`.
    package func actionTotals(
        actionID: String, fromUnixMillis: Int64, toUnixMillis: Int64
    ) -> SimulatedActionAggregate? {
        let (index, errorTypes) = core.state.withLock { ($0.actions.index(ofID: actionID), $0.actions.errorTypes) }
        guard let index, fromUnixMillis <= toUnixMillis else { return nil }
        return ActionModel.totals(
            from: fromUnixMillis, to: toUnixMillis, errorTypes: errorTypes, ActionModel.Profile(index: index))
    }

    /// The simulated active users, in paging order.
    package func users() -> [SimulatedUser] {
        let count = core.state.withLock { $0.users.count }
        return (0..<count).map { UserCatalog.user($0) }
    }

    /// The divisions users and queues are spread over (user or queue `i` is in division `i % count`).
    package func divisions() -> [SimulatedDivision] { DivisionCatalog.divisions }

    /// What user `index` is doing at wall time `unixMillis` (observed qualifier overrides aside).
    package func userState(index: Int, atUnixMillis unixMillis: Int64) -> SimulatedUserState {
        UserModel.state(index: index, at: unixMillis)
    }

    /// A user's time per routing status and system presence over `[from, to)` in Unix ms, ignoring the settle
    /// delay and the wall clock; nil for an unknown user or `to < from`.
    package func userTotals(userID: String, fromUnixMillis: Int64, toUnixMillis: Int64) -> SimulatedUserTimes? {
        guard let index = core.state.withLock({ $0.users.index(ofID: userID) }), fromUnixMillis <= toUnixMillis
        else { return nil }
        return UserModel.totals(index: index, from: fromUnixMillis, to: toUnixMillis)
    }

    /// From now on the user observations and the user notification topics report user `index` with these
    /// qualifiers (any text, to try values Genesys may add later; a part that changes is entered now); either nil:
    /// its modelled state again. Subscribed sockets get the user's changed topics at once.
    package func setObservedUserQualifiers(index: Int, routingStatus: String?, presenceID: String?) {
        let nowMillis = core.userObservationMillis()
        let changed = core.state.withLock { state in
            state.users.pinObservedState(
                index: index, routingStatus: routingStatus, presenceID: presenceID, at: nowMillis)
        }
        if changed { core.pushUserChanges(of: UserCatalog.id(index)) }
    }

    /// The current queue catalog, in paging order.
    package func queues() -> [SimulatedQueue] {
        core.state.withLock { $0.catalog.queues }
    }

    /// What an observation query made now would answer: `oWaiting`/`oInteracting`/`oAlerting` per media type,
    /// `oOnQueueUsers` (summed over qualifiers) and `oMemberUsers` ignoring the media type; 0 for unknown queues.
    package func observation(queueID: String, mediaType: String, metric: String) -> Int {
        let (catalog, overrides) = core.state.withLock { ($0.catalog, $0.observationOverrides) }
        guard let index = catalog.index(ofQueueID: queueID) else { return 0 }
        let reading = core.observationReading(overrides)
        let (model, slot) = (reading.model, reading.slot)
        switch metric {
        case "oWaiting", "oInteracting", "oAlerting":
            return reading.mediaValue(queueIndex: index, queueID: queueID, mediaType: mediaType, metric: metric)
        case "oOnQueueUsers":
            return model.onQueueUsers(queue: catalog.queues[index], queueIndex: index, slot: slot)
                .reduce(0) { $0 + $1.count }
        case "oMemberUsers":
            return model.memberUsers(queue: catalog.queues[index])
        default:
            return 0
        }
    }

    // MARK: The truth behind the new endpoints (for comparing an exporter's output)

    /// The system presences `oUserPresences` maps to, in the order the simulator reports them.
    package static let systemPresences: [String] = ObservationModel.systemPresences

    /// The org presence ids of each system presence, as `systemToOrganizationMappings` reports them.
    package static let systemToOrganizationMappings: [String: [String]] = ObservationModel.organizationPresences

    /// The conversation totals of a queue and media type (`call` is `voice`) over `[from, to)` in Unix ms,
    /// ignoring the settle delay and the wall clock (what the aggregates answer once everything has arrived);
    /// nil for an unknown queue or media type, or `to < from`.
    package func aggregateTotals(
        queueID: String, mediaType: String, fromUnixMillis: Int64, toUnixMillis: Int64
    ) -> SimulatedAggregate? {
        guard let index = queueIndex(queueID), let media = AggregateModel.mediaIndex(mediaType),
            fromUnixMillis <= toUnixMillis
        else { return nil }
        return AggregateModel.totals(
            from: fromUnixMillis, to: toUnixMillis, AggregateModel.Profile(queueIndex: index, media: media))
    }

    /// The totals of one of the conversation metrics beyond the service ones (`nTransferred`, `tHeld`, …: see
    /// `conversationMetrics`) for a queue and media type over `[from, to)` in Unix ms: its count and, for a timer, its
    /// sum in milliseconds; nil for an unknown queue, media type or metric.
    package func conversationMetricTotals(
        _ metric: String, queueID: String, mediaType: String, fromUnixMillis: Int64, toUnixMillis: Int64
    ) -> (count: Int64, sumMillis: Int64)? {
        guard let index = queueIndex(queueID), let media = AggregateModel.mediaIndex(mediaType),
            fromUnixMillis <= toUnixMillis
        else { return nil }
        return ConversationMetricModel.totals(
            metric, from: fromUnixMillis, to: toUnixMillis, AggregateModel.Profile(queueIndex: index, media: media))
    }

    /// Handled conversations per wrap-up code id for a queue over `[from, to)` in Unix ms, media types added up
    /// (codes without any left out); nil for an unknown queue.
    package func wrapupHandled(queueID: String, fromUnixMillis: Int64, toUnixMillis: Int64) -> [String: Int64]? {
        guard let index = queueIndex(queueID), fromUnixMillis <= toUnixMillis else { return nil }
        let handled = WrapupCodeModel.handled(queueIndex: index, from: fromUnixMillis, to: toUnixMillis)
        return Dictionary(uniqueKeysWithValues: handled.map { (WrapupCodeModel.id($0.key), $0.value) })
    }

    /// The wrap-up codes the simulator lists: id and name.
    package static let wrapupCodes: [(id: String, name: String)] = WrapupCodeModel.names.indices.map {
        (WrapupCodeModel.id($0), WrapupCodeModel.names[$0])
    }

    /// The conversation metrics the simulator models beyond the service ones, with the direction of each.
    package static let conversationMetrics: [(name: String, direction: String)] =
        ConversationMetricModel.definitions.map { ($0.name, $0.direction) }

    /// The queue's service-level target (`oServiceTarget`), nil for an unknown queue.
    package func serviceTarget(queueID: String) -> Double? {
        queueIndex(queueID).map(AggregateModel.serviceTarget(queueIndex:))
    }

    /// `oUserRoutingStatuses` now: every routing status with its count; empty for an unknown queue.
    package func routingStatusCounts(queueID: String) -> [String: Int] {
        guard let (queue, index) = queueAndIndex(queueID) else { return [:] }
        let model = core.observations
        let pairs = model.routingStatuses(queue: queue, queueIndex: index, slot: model.slot(at: .now))
        return Dictionary(uniqueKeysWithValues: pairs.map { ($0.qualifier, $0.count) })
    }

    /// `oUserPresences` now, mapped to system presences (BREAK's two org presences summed); every system
    /// presence is present; empty for an unknown queue.
    package func systemPresenceCounts(queueID: String) -> [String: Int] {
        guard let (queue, index) = queueAndIndex(queueID) else { return [:] }
        let model = core.observations
        let pairs = model.systemPresenceCounts(queue: queue, queueIndex: index, slot: model.slot(at: .now))
        return Dictionary(uniqueKeysWithValues: pairs.map { ($0.presence, $0.count) })
    }

    /// When the longest-waiting conversation now started waiting (Unix seconds, millisecond precision): the
    /// earliest `observationDate` in `oWaiting`'s detail; nil when nothing waits or the queue is unknown.
    package func oldestWaiting(queueID: String, mediaType: String) -> Double? {
        guard let index = queueIndex(queueID) else { return nil }
        let reading = core.observationReading(core.state.withLock { $0.observationOverrides })
        let waiting = reading.waitingConversations(queueIndex: index, queueID: queueID, mediaType: mediaType)
        return waiting.map(\.observationMillis).min().map { Double($0) / 1000 }
    }

    /// `oAlerting` now for a queue and media type; 0 for an unknown queue or media type.
    package func alerting(queueID: String, mediaType: String) -> Int {
        observation(queueID: queueID, mediaType: mediaType, metric: "oAlerting")
    }

    /// What the estimated-wait endpoint answers now, in seconds (`call` is `voice`); nil for an unknown queue
    /// or media type.
    package func estimatedWait(queueID: String, mediaType: String) -> Int? {
        guard let index = queueIndex(queueID), let media = AggregateModel.mediaIndex(mediaType) else { return nil }
        let model = core.observations
        return model.estimatedWait(queueIndex: index, media: media, slot: model.slot(at: .now))
    }

    private func queueIndex(_ queueID: String) -> Int? {
        core.state.withLock { $0.catalog.index(ofQueueID: queueID) }
    }

    private func queueAndIndex(_ queueID: String) -> (SimulatedQueue, Int)? {
        core.state.withLock { state in
            state.catalog.index(ofQueueID: queueID).map { (state.catalog.queues[$0], $0) }
        }
    }

    private static func urlHost(for bindHost: String) -> String {
        switch bindHost {
        case "0.0.0.0", "": "127.0.0.1"
        case "::": "[::1]"
        default: bindHost.contains(":") ? "[\(bindHost)]" : bindHost
        }
    }
}
