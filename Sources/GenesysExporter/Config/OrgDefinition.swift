import GenesysAuth

/// One org as the `--config.file` describes it, with `defaults:` applied: names and paths, never a secret value.
/// A nil setting is left to the global flags (poll interval, collectors, queue selection).
package struct OrgDefinition: Sendable, Equatable {
    /// The `org` label value: `[A-Za-z0-9_.-]{1,64}`, unique in the file.
    package var name: String
    package var region: String?
    package var apiURL: String?
    package var loginURL: String?
    package var clientID: String
    package var clientSecretFile: String?
    package var clientSecretEnv: String?
    package var grant: OAuthGrant
    package var refreshTokenFile: String?
    package var tokenCacheFile: String?
    package var collectors: Set<String>?
    package var pollInterval: Duration?
    package var queueNameFilter: String?
    package var queueMax: Int?

    package init(
        name: String, region: String? = nil, apiURL: String? = nil, loginURL: String? = nil, clientID: String,
        clientSecretFile: String? = nil, clientSecretEnv: String? = nil, grant: OAuthGrant = .clientCredentials,
        refreshTokenFile: String? = nil, tokenCacheFile: String? = nil, collectors: Set<String>? = nil,
        pollInterval: Duration? = nil, queueNameFilter: String? = nil, queueMax: Int? = nil
    ) {
        self.name = name
        self.region = region
        self.apiURL = apiURL
        self.loginURL = loginURL
        self.clientID = clientID
        self.clientSecretFile = clientSecretFile
        self.clientSecretEnv = clientSecretEnv
        self.grant = grant
        self.refreshTokenFile = refreshTokenFile
        self.tokenCacheFile = tokenCacheFile
        self.collectors = collectors
        self.pollInterval = pollInterval
        self.queueNameFilter = queueNameFilter
        self.queueMax = queueMax
    }
}
