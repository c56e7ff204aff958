import FoundationEssentials
import GenesysAuth
import GenesysBase
import GenesysCollectors
import GenesysTelemetry
import Glibc

/// The `--config.file` of multi-org mode, read strictly: every key known, every value checked, and every error one
/// line naming the file, the org (by name, or `#n` when it has none) and the key. Secret values are never in the
/// file (only the files or environment variables holding them) and never in an error.
package enum OrgsFile {
    /// Keys an org (and `defaults:`, except `name`) may set.
    static let orgKeys = [
        "name", "region", "api_url", "login_url", "client_id", "client_secret_file", "client_secret_env", "grant",
        "refresh_token_file", "token_cache_file", "collectors", "poll_interval", "queues",
    ]
    static let queueKeys = ["name_filter", "max"]
    /// More orgs than this is a mistake (and bounds the work on a hostile file).
    static let maxOrgs = 10_000
    static let maxQueueSeries = 1_000_000
    static let maxNesting = YAMLNesting.maxLevels
    static let maxBytes = RegularFile.configurationLimit

    /// Parses `text`, read from `path` (named in every error), into the orgs it defines, `defaults:` applied.
    /// Checks everything that needs no file or environment: names, keys, types, durations, collectors, regions
    /// and URLs, the secret and grant rules, duplicates.
    package static func parse(_ text: String, path: String) throws(ConfigurationError) -> [OrgDefinition] {
        let reader = OrgsFileReader(path: path)
        guard text.utf8.count <= maxBytes else { throw reader.fail("", "larger than \(maxBytes >> 20) MiB") }
        if let line = YAMLNesting.firstLineTooDeep(text) {
            throw reader.fail("line \(line)", "nested deeper than \(maxNesting) levels")
        }
        let root: YAMLNode?
        do { root = try YAMLDocument(text).root } catch {
            // libyaml's fixed problem text and the position, never the offending line itself.
            throw reader.fail(
                error.line > 0 ? "line \(error.line)" : "",
                "not valid YAML: \(SafeExcerpt.of(error.problem, limit: 160))")
        }
        guard let root, root.isPresent else { throw reader.fail("", "missing \"orgs\" (a list of orgs)") }
        let top = try reader.mapping(root, scope: "", key: nil)
        try reader.onlyKnownKeys(top, scope: "", known: ["defaults", "orgs"])

        var defaults = PartialOrg()
        if let node = top["defaults"], node.isPresent {
            let mapping = try reader.mapping(node, scope: "defaults", key: nil)
            try reader.onlyKnownKeys(mapping, scope: "defaults", known: orgKeys.filter { $0 != "name" })
            defaults = try PartialOrg(mapping, scope: "defaults", reader: reader)
            if defaults.region != nil && defaults.apiURL != nil {
                throw reader.fail("defaults", key: "api_url", "set either region or api_url, not both")
            }
            if defaults.clientSecretFile != nil && defaults.clientSecretEnv != nil {
                throw reader.fail(
                    "defaults", key: "client_secret_env", "set either client_secret_file or client_secret_env, not both"
                )
            }
        }
        guard let orgsNode = top["orgs"], orgsNode.isPresent else {
            throw reader.fail("", "missing \"orgs\" (a list of orgs)")
        }
        guard let list = orgsNode.sequence else { throw reader.fail("", key: "orgs", "must be a list of orgs") }
        guard !list.isEmpty else { throw reader.fail("", key: "orgs", "needs at least one org") }
        guard list.count <= maxOrgs else { throw reader.fail("", key: "orgs", "more than \(maxOrgs) orgs") }

        var definitions: [OrgDefinition] = []
        var names: Set<String> = []
        var cacheFiles: [String: String] = [:]
        for (offset, node) in list.enumerated() {
            let definition = try org(node, number: offset + 1, defaults: defaults, names: &names, reader: reader)
            if let cacheFile = definition.tokenCacheFile {
                if let owner = cacheFiles[cacheFile] {
                    throw reader.fail(
                        "org \"\(definition.name)\"", key: "token_cache_file",
                        "\(OrgsFileReader.excerpt(cacheFile)) is already the cache file of org \"\(owner)\"")
                }
                cacheFiles[cacheFile] = definition.name
            }
            definitions.append(definition)
        }
        return definitions
    }

    private static func org(
        _ node: YAMLNode, number: Int, defaults: PartialOrg, names: inout Set<String>, reader: OrgsFileReader
    ) throws(ConfigurationError) -> OrgDefinition {
        var scope = "org #\(number)"
        let mapping = try reader.mapping(node, scope: scope, key: nil)
        guard let nameNode = mapping["name"], nameNode.isPresent else {
            throw reader.fail(scope, "missing \"name\"")
        }
        let name = try reader.string(nameNode, scope: scope, key: "name")
        guard isValidName(name) else {
            throw reader.fail(
                scope, key: "name", "\"\(OrgsFileReader.excerpt(name))\" must be 1 to 64 of A-Z a-z 0-9 _ . -")
        }
        guard names.insert(name).inserted else { throw reader.fail("", "duplicate org name \"\(name)\"") }
        scope = "org \"\(name)\""
        try reader.onlyKnownKeys(mapping, scope: scope, known: orgKeys)
        let own = try PartialOrg(mapping, scope: scope, reader: reader)
        let org = own.merged(over: defaults)

        guard let clientID = org.clientID else { throw reader.fail(scope, "missing \"client_id\"") }
        if org.region != nil && org.apiURL != nil {
            throw reader.fail(scope, key: "api_url", "set either region or api_url, not both")
        }
        if org.region == nil && org.apiURL == nil {
            throw reader.fail(scope, "missing \"region\" (or \"api_url\")")
        }
        do {
            _ = try ConfigurationResolver.hosts(region: org.region, apiURL: org.apiURL, loginURL: org.loginURL)
        } catch {
            guard case .invalid(let setting, let reason) = error else { throw reader.fail(scope, error.description) }
            let key = setting.contains("login") ? "login_url" : org.apiURL != nil ? "api_url" : "region"
            throw reader.fail(scope, key: key, reason)
        }
        switch (org.clientSecretFile, org.clientSecretEnv) {
        case (nil, nil): throw reader.fail(scope, "missing \"client_secret_file\" (or \"client_secret_env\")")
        case (.some, .some):
            throw reader.fail(
                scope, key: "client_secret_env", "set either client_secret_file or client_secret_env, not both")
        default: break
        }
        let grant = org.grant ?? .clientCredentials
        if grant == .refreshToken {
            guard org.refreshTokenFile != nil else {
                throw reader.fail(scope, "missing \"refresh_token_file\" (the refresh_token grant needs it)")
            }
            // Genesys rotates the refresh token at every use: kept only in memory, it is lost at the next restart.
            guard org.tokenCacheFile != nil else {
                throw reader.fail(
                    scope,
                    "missing \"token_cache_file\" (the refresh_token grant keeps the rotated refresh token there)")
            }
        } else if org.refreshTokenFile != nil {
            throw reader.fail(scope, key: "refresh_token_file", "is used only with grant refresh_token")
        }
        return OrgDefinition(
            name: name, region: org.region, apiURL: org.apiURL, loginURL: org.loginURL, clientID: clientID,
            clientSecretFile: org.clientSecretFile, clientSecretEnv: org.clientSecretEnv, grant: grant,
            refreshTokenFile: org.refreshTokenFile, tokenCacheFile: org.tokenCacheFile, collectors: org.collectors,
            pollInterval: org.pollInterval, queueNameFilter: org.queueNameFilter, queueMax: org.queueMax)
    }

    /// `[A-Za-z0-9_.-]{1,64}`: a label value and a URL query value as it is.
    package static func isValidName(_ name: String) -> Bool {
        let utf8 = name.utf8
        return (1...64).contains(utf8.count)
            && utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == 0x5F || byte == 0x2E || byte == 0x2D
            }
    }
}

/// The settings one org mapping (or `defaults:`) sets, each checked on its own; the rules between them are checked
/// once `defaults:` is merged in.
struct PartialOrg {
    var region: String?
    var apiURL: String?
    var loginURL: String?
    var clientID: String?
    var clientSecretFile: String?
    var clientSecretEnv: String?
    var grant: OAuthGrant?
    var refreshTokenFile: String?
    var tokenCacheFile: String?
    var collectors: Set<String>?
    var pollInterval: Duration?
    var queueNameFilter: String?
    var queueMax: Int?

    init() {}

    init(_ mapping: YAMLMapping, scope: String, reader: OrgsFileReader) throws(ConfigurationError) {
        func text(_ key: String) throws(ConfigurationError) -> String? {
            guard let node = mapping[key], node.isPresent else { return nil }
            let value = try reader.string(node, scope: scope, key: key)
            guard !value.isEmpty else { throw reader.fail(scope, key: key, "must not be empty") }
            return value
        }
        region = try text("region")
        apiURL = try text("api_url")
        loginURL = try text("login_url")
        clientID = try text("client_id")
        clientSecretFile = try text("client_secret_file")
        clientSecretEnv = try text("client_secret_env")
        if let variable = clientSecretEnv, !Self.isVariableName(variable) {
            // Never echoed: a secret pasted here instead of the variable's name is the likely mistake.
            throw reader.fail(scope, key: "client_secret_env", "must name an environment variable, e.g. ACME_SECRET")
        }
        if let grantName = try text("grant") {
            guard let known = OAuthGrant(rawValue: grantName) else {
                throw reader.fail(
                    scope, key: "grant",
                    "\"\(OrgsFileReader.excerpt(grantName))\" is not one of client_credentials, refresh_token")
            }
            grant = known
        }
        refreshTokenFile = try text("refresh_token_file")
        tokenCacheFile = try text("token_cache_file")
        if let cacheFile = tokenCacheFile, cacheFile.hasSuffix("/") {
            throw reader.fail(scope, key: "token_cache_file", "\(OrgsFileReader.excerpt(cacheFile)) must name a file")
        }
        if let node = mapping["collectors"], node.isPresent {
            guard let list = node.sequence else {
                throw reader.fail(scope, key: "collectors", "must be a list of collector names")
            }
            var names: Set<String> = []
            for item in list {
                let name = try reader.string(item, scope: scope, key: "collectors")
                guard CollectorRegistry.named(name) != nil else {
                    throw reader.fail(
                        scope, key: "collectors",
                        "no collector \"\(OrgsFileReader.excerpt(name))\"; there are \(CollectorRegistry.names.joined(separator: ", "))"
                    )
                }
                names.insert(name)
            }
            guard !names.isEmpty else {
                throw reader.fail(scope, key: "collectors", "needs at least one collector (nothing would be polled)")
            }
            collectors = names
        }
        if let interval = try text("poll_interval") {
            guard let value = DurationParser.parse(interval) else {
                throw reader.fail(
                    scope, key: "poll_interval",
                    "\"\(OrgsFileReader.excerpt(interval))\" is not a duration like 30s, 5m or 1h")
            }
            guard value >= .seconds(1) else {
                throw reader.fail(scope, key: "poll_interval", "\(OrgsFileReader.excerpt(interval)) is shorter than 1s")
            }
            pollInterval = value
        }
        if let node = mapping["queues"], node.isPresent {
            let queues = try reader.mapping(node, scope: scope, key: "queues")
            try reader.onlyKnownKeys(queues, scope: scope, known: OrgsFile.queueKeys, parent: "queues")
            if let filterNode = queues["name_filter"], filterNode.isPresent {
                let filter = try reader.string(filterNode, scope: scope, key: "queues.name_filter")
                do { _ = try Regex(filter) } catch {
                    throw reader.fail(
                        scope, key: "queues.name_filter",
                        "\"\(OrgsFileReader.excerpt(filter))\" is not a valid regular expression")
                }
                queueNameFilter = filter
            }
            if let maxNode = queues["max"], maxNode.isPresent {
                let text = try reader.string(maxNode, scope: scope, key: "queues.max")
                // Parsed as a bounded whole number: `Int(_:)` returns nil out of range rather than trapping.
                guard text.utf8.count <= 20, let value = Int(text), (0...OrgsFile.maxQueueSeries).contains(value) else {
                    throw reader.fail(
                        scope, key: "queues.max",
                        "\"\(OrgsFileReader.excerpt(text))\" is not a whole number from 0 to \(OrgsFile.maxQueueSeries)"
                    )
                }
                queueMax = value
            }
        }
    }

    /// The org's settings with `defaults` under them. Where and how to log in are taken as a whole: an org that
    /// sets region or api_url takes none of the defaults' region, api_url, login_url; one that sets either secret
    /// key takes neither of the defaults' secret keys.
    func merged(over defaults: PartialOrg) -> PartialOrg {
        var merged = self
        if region == nil && apiURL == nil {
            merged.region = defaults.region
            merged.apiURL = defaults.apiURL
            merged.loginURL = loginURL ?? defaults.loginURL
        }
        if clientSecretFile == nil && clientSecretEnv == nil {
            merged.clientSecretFile = defaults.clientSecretFile
            merged.clientSecretEnv = defaults.clientSecretEnv
        }
        merged.clientID = clientID ?? defaults.clientID
        merged.grant = grant ?? defaults.grant
        merged.refreshTokenFile = refreshTokenFile ?? defaults.refreshTokenFile
        merged.tokenCacheFile = tokenCacheFile ?? defaults.tokenCacheFile
        merged.collectors = collectors ?? defaults.collectors
        merged.pollInterval = pollInterval ?? defaults.pollInterval
        merged.queueNameFilter = queueNameFilter ?? defaults.queueNameFilter
        merged.queueMax = queueMax ?? defaults.queueMax
        return merged
    }

    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 255, !(0x30...0x39).contains(first) else { return false }
        return name.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x5F
        }
    }
}

/// YAMLNode access whose errors name the file, the org and the key.
struct OrgsFileReader {
    let path: String

    /// `path: scope: message`, each part only when there is one.
    func fail(_ scope: String, key: String? = nil, _ message: String) -> ConfigurationError {
        var parts: [String] = []
        if !scope.isEmpty { parts.append(scope) }
        if let key { parts.append("key \"\(Self.excerpt(key))\"") }
        parts.append(message)
        return .invalid(setting: SafeExcerpt.of(path, limit: 200), reason: parts.joined(separator: ": "))
    }

    /// Text from the file as an error quotes it: one line, short.
    static func excerpt(_ text: String) -> String {
        SafeExcerpt.of(text, limit: 64).replacing("\"", with: "\\\"")
    }

    func mapping(_ node: YAMLNode, scope: String, key: String?) throws(ConfigurationError) -> YAMLMapping {
        guard let mapping = node.mapping else { throw fail(scope, key: key, "must be a mapping of keys to values") }
        return mapping
    }

    func string(_ node: YAMLNode, scope: String, key: String) throws(ConfigurationError) -> String {
        guard let scalar = node.scalar else {
            throw fail(scope, key: key, "must be a single value, not a list or mapping")
        }
        return scalar.string
    }

    /// Every key a plain string, known and given once.
    func onlyKnownKeys(
        _ mapping: YAMLMapping, scope: String, known: [String], parent: String? = nil
    ) throws(ConfigurationError) {
        var seen: Set<String> = []
        for key in mapping.keys {
            let prefix = parent.map { "\($0)." } ?? ""
            guard let name = key.scalar?.string else {
                throw fail(scope, key: parent, "a key must be a single value, not a list or mapping")
            }
            guard known.contains(name) else {
                throw fail(scope, key: prefix + name, "unknown key (known: \(known.joined(separator: ", ")))")
            }
            guard seen.insert(name).inserted else { throw fail(scope, key: prefix + name, "given twice") }
        }
    }
}
