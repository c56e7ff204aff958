import FoundationEssentials
import GenesysHTTP
import Glibc

/// An access token with its lifetime on the monotonic clock (ages, deadlines) and on the wall
/// clock (exported timestamps only).
package struct AccessToken: Sendable, Equatable, CustomStringConvertible {
    package let value: Secret
    package let grant: OAuthGrant
    package let lifetime: Duration
    package let obtainedAt: ContinuousClock.Instant
    package let obtainedAtUnix: Double

    package init(
        value: Secret, grant: OAuthGrant, lifetime: Duration, obtainedAt: ContinuousClock.Instant = .now,
        obtainedAtUnix: Double = Date().timeIntervalSince1970
    ) {
        self.value = value
        self.grant = grant
        self.lifetime = lifetime
        self.obtainedAt = obtainedAt
        self.obtainedAtUnix = obtainedAtUnix
    }

    package var expiresAt: ContinuousClock.Instant { obtainedAt + lifetime }
    package var expiresAtUnix: Double { obtainedAtUnix + lifetime.seconds }
    package func remaining(at now: ContinuousClock.Instant = .now) -> Duration { expiresAt - now }
    package func isExpired(at now: ContinuousClock.Instant = .now) -> Bool { now >= expiresAt }

    package var description: String { "token …\(value.fingerprint) (\(grant.rawValue), \(lifetime.wholeSeconds) s)" }
}
