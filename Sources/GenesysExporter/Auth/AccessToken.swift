import Foundation

/// An access token with its lifetime on the monotonic clock (ages, deadlines) and on the wall
/// clock (exported timestamps only).
public struct AccessToken: Sendable, Equatable, CustomStringConvertible {
    public let value: Secret
    public let grant: OAuthGrant
    public let lifetime: Duration
    public let obtainedAt: ContinuousClock.Instant
    public let obtainedAtUnix: Double

    public init(
        value: Secret, grant: OAuthGrant, lifetime: Duration, obtainedAt: ContinuousClock.Instant = .now,
        obtainedAtUnix: Double = Date().timeIntervalSince1970
    ) {
        self.value = value
        self.grant = grant
        self.lifetime = lifetime
        self.obtainedAt = obtainedAt
        self.obtainedAtUnix = obtainedAtUnix
    }

    public var expiresAt: ContinuousClock.Instant { obtainedAt + lifetime }
    public var expiresAtUnix: Double { obtainedAtUnix + lifetime.seconds }
    public func remaining(at now: ContinuousClock.Instant = .now) -> Duration { expiresAt - now }
    public func isExpired(at now: ContinuousClock.Instant = .now) -> Bool { now >= expiresAt }

    public var description: String { "token …\(value.fingerprint) (\(grant.rawValue), \(lifetime.wholeSeconds) s)" }
}
