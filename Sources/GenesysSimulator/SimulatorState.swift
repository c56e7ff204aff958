import FoundationEssentials
import Glibc
import NIOCore

/// Who an access token was issued to.
enum TokenSubject: Sendable {
    /// A client-credentials token: no user context.
    case client
    /// A token for the simulated authorization-code user (from the refresh-token grant).
    case user
}

/// An issued access token.
struct AccessTokenRecord: Sendable {
    let subject: TokenSubject
    let expiresAt: NIODeadline
    var revoked = false
}

/// The outcome of checking a bearer token.
enum BearerCheck: Sendable {
    case valid(TokenSubject, token: String)
    case missing
    case unknown
    case revoked
    case expired
}

/// A per-token fixed rate-limit window.
struct RateWindow: Sendable {
    var start: NIODeadline
    var count: Int
}

/// The rate-limit verdict for one request, with the values for the `inin-ratelimit-*` headers.
struct RateDecision: Sendable {
    let allowed: Bool
    let count: Int
    let limit: Int
    let resetSeconds: Int

    var headers: [(String, String)] {
        [
            ("inin-ratelimit-count", String(count)),
            ("inin-ratelimit-allowed", String(limit)),
            ("inin-ratelimit-reset", String(resetSeconds)),
        ]
    }
}

/// Everything the simulator remembers, kept behind one lock in `SimulatorCore`.
struct SimulatorState: Sendable {
    static let rateWindow = TimeAmount.seconds(60)
    /// What `inin-ratelimit-allowed` reports when no limit is configured (the real default).
    static let defaultAdvertisedLimit = 300

    var configuration: SimulatorConfiguration
    var catalog: QueueCatalog
    var telephony: TelephonyCatalog
    var flows: FlowCatalog
    var actions: ActionCatalog
    var users: UserCatalog
    var statusPage = SimulatedStatusPage()
    var faults = FaultBook()
    var counters = CounterRecorder()
    var requestLog = RequestLog()
    var usage = UsageBook()
    var observationOverrides = ObservationOverrides()
    var notifications: NotificationBook
    var missingPermissions: Set<String> = []
    var tokenEndpointLatency: Duration = .zero
    private var accessTokens: [String: AccessTokenRecord] = [:]
    private var refreshTokens: Set<String> = []
    private var rateWindows: [String: RateWindow] = [:]

    init(configuration: SimulatorConfiguration) {
        self.configuration = configuration
        self.catalog = QueueCatalog(count: configuration.queueCount)
        self.telephony = TelephonyCatalog(
            edges: configuration.edgeCount, trunks: configuration.trunkCount, phones: configuration.phoneCount)
        self.flows = FlowCatalog(count: configuration.flowCount)
        self.actions = ActionCatalog(count: configuration.actionCount)
        self.users = UserCatalog(count: configuration.userCount)
        self.notifications = NotificationBook(heartbeats: configuration.notificationHeartbeats)
    }

    // MARK: Tokens

    mutating func issueAccessToken(for subject: TokenSubject, now: NIODeadline) -> (token: String, expiresIn: Int) {
        let token = RandomToken.make(length: 48)
        let ttl = configuration.tokenTTL
        accessTokens[token] = AccessTokenRecord(subject: subject, expiresAt: now + TimeAmount(ttl))
        counters.recordTokenIssued()
        return (token, Int(ttl.components.seconds))
    }

    mutating func issueRefreshToken() -> String {
        let token = RandomToken.make(length: 64)
        refreshTokens.insert(token)
        return token
    }

    /// Consumes a refresh token; returns false if it is unknown, already used or revoked.
    mutating func redeemRefreshToken(_ token: String) -> Bool {
        refreshTokens.remove(token) != nil
    }

    mutating func revokeAccessTokens() {
        for key in accessTokens.keys {
            accessTokens[key]?.revoked = true
        }
    }

    mutating func revokeRefreshTokens() {
        refreshTokens.removeAll()
    }

    mutating func checkBearer(_ authorization: String?, now: NIODeadline) -> BearerCheck {
        guard let authorization, let token = Self.bearerToken(authorization) else { return .missing }
        guard let record = accessTokens[token] else { return .unknown }
        if record.revoked { return .revoked }
        if now >= record.expiresAt {
            counters.recordExpiredToken()
            return .expired
        }
        return .valid(record.subject, token: token)
    }

    private static func bearerToken(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = String(parts[1].trimmingSpaces())
        return token.isEmpty ? nil : token
    }

    // MARK: Rate limit

    /// Counts the request against the token's current window (a refused request is not counted).
    mutating func admit(token: String, now: NIODeadline) -> RateDecision {
        var window = rateWindows[token] ?? RateWindow(start: now, count: 0)
        if now - window.start >= Self.rateWindow {
            window = RateWindow(start: now, count: 0)
        }
        let remaining = Self.rateWindow - (now - window.start)
        let resetSeconds = max(1, Int((remaining.nanoseconds + 999_999_999) / 1_000_000_000))
        let limit = configuration.rateLimitPerMinute
        let allowed = limit.map { window.count < $0 } ?? true
        if allowed { window.count += 1 }
        rateWindows[token] = window
        return RateDecision(
            allowed: allowed, count: window.count, limit: limit ?? Self.defaultAdvertisedLimit,
            resetSeconds: resetSeconds)
    }

    mutating func resetRateWindows() {
        rateWindows.removeAll()
    }
}

/// Opaque random tokens, URL-safe.
enum RandomToken {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

    static func make(length: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000)
    }
}
