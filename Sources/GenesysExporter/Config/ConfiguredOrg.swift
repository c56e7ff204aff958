import FoundationEssentials
import GenesysAuth
import GenesysBase
import GenesysCollectors
import GenesysTelemetry
import Glibc

/// One org of the `--config.file`, resolved: its definition with the secrets read and the global flags under it.
package struct ConfiguredOrg: Sendable {
    package let name: String
    package let settings: OrgSettings
    /// What the file says about the org (no secret values).
    package let definition: OrgDefinition

    /// True when a reload may keep this org running as `other` runs it (its token included): the same definition,
    /// the same effective settings and the same client secret and refresh token.
    package func isUnchanged(from other: ConfiguredOrg) -> Bool {
        let (mine, theirs) = (settings, other.settings)
        return name == other.name && definition == other.definition
            && mine.token.hosts == theirs.token.hosts && mine.token.clientID == theirs.token.clientID
            && mine.token.clientSecret == theirs.token.clientSecret && mine.token.grant == theirs.token.grant
            && mine.token.refreshToken == theirs.token.refreshToken
            && mine.token.refreshMargin == theirs.token.refreshMargin && mine.token.cacheFile == theirs.token.cacheFile
            && mine.pollInterval == theirs.pollInterval && mine.enabledCollectors == theirs.enabledCollectors
            && mine.collectorOptions == theirs.collectorOptions
            && mine.queueSelection.nameFilter == theirs.queueSelection.nameFilter
            && mine.queueSelection.maxSeries == theirs.queueSelection.maxSeries
            && mine.requestTimeout == theirs.requestTimeout && mine.extraCAFile == theirs.extraCAFile
    }

    /// The one org of an exporter without `--config.file` (or the demo's), from the global flags; it is not labelled.
    package static func single(_ settings: OrgSettings) -> ConfiguredOrg {
        ConfiguredOrg(
            name: "default", settings: settings,
            definition: OrgDefinition(name: "default", clientID: settings.token.clientID, grant: settings.token.grant))
    }

    package var withoutTokenCache: ConfiguredOrg {
        var settings = settings
        settings.token.cacheFile = nil
        return ConfiguredOrg(name: name, settings: settings, definition: definition)
    }
}

/// Environment values kept for `client_secret_env` on a reload: they may be secrets, so printing, dumping or
/// mirroring shows none of them.
struct SecretEnvironment: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let values: [String: String]

    var description: String { "<environment>" }
    var debugDescription: String { "<environment>" }
    var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

extension OrgsFile {
    /// Reads and checks the file at `path`, keeps the orgs of `shard` (all without one) and resolves them: hosts,
    /// the client secret (`client_secret_file`, trimmed, or `client_secret_env` from `environment`), the refresh
    /// token, and for what the file leaves unset the global flags' `tuning`. Secrets are read only for the orgs
    /// kept, so an instance needs only its own shard's secrets.
    package static func load(
        path: String, tuning: ExporterConfiguration.Tuning, environment: [String: String],
        readFile: (String) throws -> String, fileExists: (String) -> Bool, shard: OrgShard?
    ) throws(ConfigurationError) -> [ConfiguredOrg] {
        let text: String
        let reader = OrgsFileReader(path: path)
        do { text = try readFile(path) } catch RegularFile.Failure.tooLarge(_) {
            // Refused after reading at most the cap and a byte, with the message `parse` gives a long text.
            throw reader.fail("", "larger than \(maxBytes >> 20) MiB")
        } catch {
            throw .unreadableFile(path: path, setting: "--config.file", reason: FileErrorText.reason(error))
        }
        var orgs: [ConfiguredOrg] = []
        for definition in try parse(text, path: path) where shard?.contains(definition.name) ?? true {
            orgs.append(
                try resolve(
                    definition, tuning: tuning, environment: environment, readFile: readFile, fileExists: fileExists,
                    reader: reader))
        }
        return orgs
    }

    static func resolve(
        _ definition: OrgDefinition, tuning: ExporterConfiguration.Tuning, environment: [String: String],
        readFile: (String) throws -> String, fileExists: (String) -> Bool, reader: OrgsFileReader
    ) throws(ConfigurationError) -> ConfiguredOrg {
        let scope = "org \"\(definition.name)\""
        let hosts: GenesysHosts
        do {
            hosts = try ConfigurationResolver.hosts(
                region: definition.region, apiURL: definition.apiURL, loginURL: definition.loginURL)
        } catch {
            throw reader.fail(scope, key: definition.apiURL != nil ? "api_url" : "region", error.description)
        }
        func secretFile(_ path: String, key: String) throws(ConfigurationError) -> Secret {
            let value: String
            // Trimmed as for --genesys.client-secret-file: a trailing "\r\n" goes too.
            do { value = try readFile(path).trimmingWhitespace() } catch {
                throw reader.fail(
                    scope, key: key,
                    "cannot read \(OrgsFileReader.excerpt(path)): \(SafeExcerpt.of(FileErrorText.reason(error)))")
            }
            guard !value.isEmpty else { throw reader.fail(scope, key: key, "\(OrgsFileReader.excerpt(path)) is empty") }
            return Secret(value)
        }
        let secret: Secret
        if let path = definition.clientSecretFile {
            secret = try secretFile(path, key: "client_secret_file")
        } else if let variable = definition.clientSecretEnv {
            guard let value = environment[variable], !value.isEmpty else {
                throw reader.fail(scope, key: "client_secret_env", "the environment variable \(variable) is not set")
            }
            secret = Secret(value)
        } else {
            throw reader.fail(scope, "missing \"client_secret_file\" (or \"client_secret_env\")")
        }
        var refreshToken: Secret?
        if definition.grant == .refreshToken, let path = definition.refreshTokenFile {
            // Like GENESYS_REFRESH_TOKEN: not needed once the cache file holds the rotated token.
            if fileExists(path) || !fileExists(definition.tokenCacheFile ?? "") {
                refreshToken = try secretFile(path, key: "refresh_token_file")
            }
        }
        var orgTuning = tuning
        orgTuning.cacheFile = definition.tokenCacheFile
        if let interval = definition.pollInterval { orgTuning.pollInterval = interval }
        if let collectors = definition.collectors { orgTuning.enabledCollectors = collectors }
        if definition.queueNameFilter != nil || definition.queueMax != nil {
            let nameFilter = definition.queueNameFilter ?? tuning.queueSelection.nameFilter
            let maxSeries = definition.queueMax ?? tuning.queueSelection.maxSeries
            do { orgTuning.queueSelection = try QueueSelection(nameFilter: nameFilter, maxSeries: maxSeries) } catch {
                throw reader.fail(scope, key: "queues", "not a valid queue selection")
            }
            // The collector reads its options too: keep them saying the same.
            var queueOptions = tuning.collectorOptions[QueueCollector.name] ?? [:]
            queueOptions["name-filter"] = nameFilter
            queueOptions["max"] = String(maxSeries)
            orgTuning.collectorOptions[QueueCollector.name] = queueOptions
        }
        let settings = ExporterConfiguration.org(
            hosts: hosts, clientID: definition.clientID, secret: secret, grant: definition.grant,
            refreshToken: refreshToken, tuning: orgTuning)
        return ConfiguredOrg(name: definition.name, settings: settings, definition: definition)
    }
}
