import FoundationEssentials
import GenesysBase
import GenesysJSON
import Glibc

/// What the token cache file holds. The fingerprint ties it to one client id and login host.
package struct CachedToken: Sendable, Equatable {
    package var fingerprint: String
    package var grant: OAuthGrant
    package var accessToken: Secret
    package var obtainedAtUnix: Double
    package var lifetimeSeconds: Int
    package var refreshToken: Secret?
}

/// Outcome label values of `genesys_token_cache_operations_total{op,result}`.
package enum TokenCacheResult: String, Sendable, CaseIterable {
    case ok, miss, stale, error
}

/// Persists the token across restarts: written atomically (temp file, fsync, rename) with mode 0600, and
/// read back only from a private regular file of the exporter's own user.
package struct TokenCache: Sendable {
    package let path: String

    package init(path: String) { self.path = path }

    package static func fingerprint(clientID: String, loginBaseURL: String) -> String {
        StableHash.hex(of: "\(clientID)\n\(loginBaseURL)")
    }

    package enum LoadOutcome: Sendable {
        case miss
        case loaded(CachedToken)
        case error(String)
    }

    /// Reads the cache, refusing a file anyone but the exporter's user could have written or read, and
    /// range-checking every field, so the entry it returns is safe to compute with. `now` is Unix seconds.
    package func load(now: Double = Date().timeIntervalSince1970) -> LoadOutcome {
        switch PrivateFile.read(path, sizeLimit: Self.sizeLimit) {
        case .missing: .miss
        case .refused(let reason): .error(reason)
        case .contents(let bytes): Self.decode(bytes, now: now)
        }
    }

    /// The file's contents as an entry whose every field is checked; the fuzz target for cache files.
    static func decode(_ bytes: [UInt8], now: Double) -> LoadOutcome {
        let parsed: JSON
        do throws(JSONParseError) {
            parsed = try JSONParser.parse(bytes)
        } catch {
            return .error("the file is corrupt (\(error.withoutExcerpt))")  // jansson's excerpt could quote the token
        }
        do {
            let document = JSONCursor(parsed)
            guard let grant = OAuthGrant(rawValue: try document.string("grant_type")) else {
                return .error("unknown grant_type")
            }
            // A token from the future would look fresh forever; a day covers any clock step between runs.
            guard
                let obtainedAt = UntrustedNumber.finite(
                    try document.field("obtained_at").double(), in: 0...(now + 86_400))
            else {
                return .error("obtained_at is not a time between 1970 and tomorrow")
            }
            guard
                let lifetime = UntrustedNumber.whole(
                    try document.field("lifetime_seconds").double(), in: Self.lifetimeRange)
            else {
                return .error(
                    "lifetime_seconds is not a whole number in \(Self.lifetimeRange.lowerBound)...\(Self.lifetimeRange.upperBound)"
                )
            }
            let accessToken = try document.string("access_token")
            let refreshToken = try document.optionalString("refresh_token")
            guard Self.isUsableToken(accessToken), refreshToken.map(Self.isUsableToken) ?? true else {
                return .error("a token in the file is empty or holds characters a token never has")
            }
            return .loaded(
                CachedToken(
                    fingerprint: try document.string("fingerprint"), grant: grant, accessToken: Secret(accessToken),
                    obtainedAtUnix: obtainedAt, lifetimeSeconds: lifetime, refreshToken: refreshToken.map(Secret.init)))
        } catch {
            return .error("the file is corrupt (\(error))")
        }
    }

    /// A real cache is well under 8 KiB; anything this big is not ours.
    package static let sizeLimit = 64 * 1024

    /// Genesys Cloud token lifetimes are 300 s to 48 h; slack below for tests and simulators.
    static let lifetimeRange = 1...Int(TokenEndpoint.longestLifetimeSeconds)

    /// Tokens go into an HTTP header: visible ASCII only, so a damaged file cannot inject a header line.
    static func isUsableToken(_ token: String) -> Bool {
        !token.isEmpty && token.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }

    /// Writes the cache; returns a reason on failure (the caller warns and keeps running).
    package func save(_ entry: CachedToken) -> String? {
        var text = "{\"version\":1"
        text += ",\"fingerprint\":\(JSONText.quoted(entry.fingerprint))"
        text += ",\"grant_type\":\(JSONText.quoted(entry.grant.rawValue))"
        text += ",\"access_token\":\(JSONText.quoted(entry.accessToken.exposedValue))"
        text += ",\"obtained_at\":\(entry.obtainedAtUnix)"
        text += ",\"lifetime_seconds\":\(entry.lifetimeSeconds)"
        if let refresh = entry.refreshToken { text += ",\"refresh_token\":\(JSONText.quoted(refresh.exposedValue))" }
        text += "}\n"
        return AtomicFile.write(Array(text.utf8), to: path, mode: 0o600)
    }
}
