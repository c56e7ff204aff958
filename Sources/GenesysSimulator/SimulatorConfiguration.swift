import FoundationEssentials
import Glibc
import NIOCore

/// How a `GenesysSimulator` behaves when it starts; most values can be changed later through its switches.
package struct SimulatorConfiguration: Sendable {
    /// The OAuth client id the token endpoint accepts.
    package var clientID: String
    /// The OAuth client secret the token endpoint accepts.
    package var clientSecret: String
    /// Lifetime of access tokens issued (reported as `expires_in`, whole seconds).
    package var tokenTTL: Duration
    /// Number of routing queues in the catalog (0...10_000).
    package var queueCount: Int
    /// Telephony edges, trunks and phones (each 0...100_000; see `TelephonyCatalog`).
    package var edgeCount: Int
    package var trunkCount: Int
    package var phoneCount: Int
    /// Architect flows and data actions (each 0...10_000; see `FlowCatalog`, `ActionCatalog`).
    package var flowCount: Int
    package var actionCount: Int
    /// Active users, spread over the simulated divisions (0...100_000; see `UserCatalog`).
    package var userCount: Int
    /// Largest `pageSize` accepted by `GET /api/v2/routing/queues` and the telephony listings; larger values
    /// answer 400.
    package var maxPageSize: Int
    /// Most `queueId` predicates one observation query may carry; more answer 400.
    package var maxObservationPredicates: Int
    /// Requests per minute per access token (fixed 60 s window); `nil` turns rate limiting off.
    package var rateLimitPerMinute: Int?
    /// When true, waiting/interacting/on-queue counts change every 10 seconds (for the demo).
    package var movingObservations: Bool
    /// The simulated organization's id.
    package var orgID: String
    /// The simulated organization's name.
    package var orgName: String
    /// The time token expiry is judged by; the real monotonic clock unless a test substitutes its own.
    package var now: @Sendable () -> NIODeadline = { .now() }
    /// The wall clock in Unix seconds, for conversation aggregates (which events are visible) and the
    /// `observationDate` of waiting conversations; the real one unless a test substitutes its own.
    package var wallNow: @Sendable () -> Double = { Date().timeIntervalSince1970 }
    /// How long after its event time a conversation event shows up in the aggregates (late-arriving data);
    /// negative counts as zero, more than a year as a year.
    package var aggregateSettleDelay: Duration
    /// How long a notification channel lives after `POST /api/v2/notifications/channels` (24 h), measured on
    /// `now`; negative counts as zero.
    package var notificationChannelLifetime: Duration
    /// How often each notification socket gets a `WebSocket Heartbeat` (30 s, real time on the event loop; at
    /// least 10 ms); the expiry check runs at the same tick.
    package var notificationHeartbeatInterval: Duration
    /// Whether notification sockets get heartbeats at all.
    package var notificationHeartbeats: Bool
    /// Benchmark load: observation messages per subscribed queue per second, whether values changed or not (0: only
    /// on changes). `genesys-simulator --notification-rate`.
    package var notificationLoad: Double = 0
    /// Called with every API request as it arrives, on the simulator's event loop (token requests are left out:
    /// their bodies carry credentials); nil records nothing. `genesys-simulator --record-requests` writes them
    /// to a file for scripts/sdk-check.
    package var requestObserver: (@Sendable (ObservedRequest) -> Void)? = nil

    /// Creates a configuration; every parameter has a realistic default.
    package init(
        clientID: String = "sim-client-id",
        clientSecret: String = "sim-client-secret",
        tokenTTL: Duration = .seconds(86399),
        queueCount: Int = 40,
        edgeCount: Int = 2,
        trunkCount: Int = 4,
        phoneCount: Int = 20,
        flowCount: Int = 12,
        actionCount: Int = 8,
        userCount: Int = 60,
        maxPageSize: Int = 500,
        maxObservationPredicates: Int = 100,
        rateLimitPerMinute: Int? = nil,
        movingObservations: Bool = false,
        orgID: String = "5a1e0c7d-3b9f-4e21-9c4a-6d2f8b7e1a90",
        orgName: String = "Simulated Contact Center",
        aggregateSettleDelay: Duration = .zero,
        notificationChannelLifetime: Duration = .seconds(86_400),
        notificationHeartbeatInterval: Duration = .seconds(30),
        notificationHeartbeats: Bool = true
    ) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.tokenTTL = tokenTTL
        self.queueCount = min(max(queueCount, 0), QueueCatalog.maximumCount)
        self.edgeCount = min(max(edgeCount, 0), TelephonyCatalog.maximumCount)
        self.trunkCount = min(max(trunkCount, 0), TelephonyCatalog.maximumCount)
        self.phoneCount = min(max(phoneCount, 0), TelephonyCatalog.maximumCount)
        self.flowCount = min(max(flowCount, 0), FlowCatalog.maximumCount)
        self.actionCount = min(max(actionCount, 0), ActionCatalog.maximumCount)
        self.userCount = min(max(userCount, 0), UserCatalog.maximumCount)
        self.maxPageSize = maxPageSize
        self.maxObservationPredicates = maxObservationPredicates
        self.rateLimitPerMinute = rateLimitPerMinute
        self.movingObservations = movingObservations
        self.orgID = orgID
        self.orgName = orgName
        self.aggregateSettleDelay = aggregateSettleDelay
        self.notificationChannelLifetime = notificationChannelLifetime
        self.notificationHeartbeatInterval = notificationHeartbeatInterval
        self.notificationHeartbeats = notificationHeartbeats
    }
}
