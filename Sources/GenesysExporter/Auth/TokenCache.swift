import Foundation

/// What the token cache file holds. The fingerprint ties it to one client id and login host.
public struct CachedToken: Sendable, Equatable {
    public var fingerprint: String
    public var grant: OAuthGrant
    public var accessToken: Secret
    public var obtainedAtUnix: Double
    public var lifetimeSeconds: Int
    public var refreshToken: Secret?
}

/// Outcome label values of `genesys_token_cache_operations_total{op,result}`.
public enum TokenCacheResult: String, Sendable, CaseIterable {
    case ok, miss, stale, error
}

/// Persists the token across restarts: written atomically (temp file, fsync, rename) with mode 0600.
public struct TokenCache: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    public static func fingerprint(clientID: String, loginBaseURL: String) -> String {
        StableHash.hex(of: "\(clientID)\n\(loginBaseURL)")
    }

    public enum LoadOutcome: Sendable {
        case miss
        case loaded(CachedToken)
        case error(String)
    }

    public func load() -> LoadOutcome {
        guard let data = FileManager.default.contents(atPath: path) else {
            return FileManager.default.fileExists(atPath: path) ? .error("the file is not readable") : .miss
        }
        let parsed: JSON
        do throws(JSONParseError) {
            parsed = try JSONParser.parse(Array(data))
        } catch {
            return .error("the file is corrupt (\(error.withoutExcerpt))")  // jansson's excerpt could quote the token
        }
        do {
            let document = JSONCursor(parsed)
            guard let grant = OAuthGrant(rawValue: try document.string("grant_type")) else {
                return .error("unknown grant_type")
            }
            return .loaded(CachedToken(
                fingerprint: try document.string("fingerprint"), grant: grant,
                accessToken: Secret(try document.string("access_token")),
                obtainedAtUnix: try document.field("obtained_at").double(),
                lifetimeSeconds: try document.int("lifetime_seconds"),
                refreshToken: try document.optionalString("refresh_token").map(Secret.init)))
        } catch {
            return .error("the file is corrupt (\(error))")
        }
    }

    /// Writes the cache; returns a reason on failure (the caller warns and keeps running).
    public func save(_ entry: CachedToken) -> String? {
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
