import GenesysAuth
import GenesysSimulator
import Logging

/// A logger that drops everything (tests assert on metrics and results, not on log noise).
package let quietLogger: Logger = {
    var logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    logger.logLevel = .critical
    return logger
}()

extension GenesysSimulator {
    /// Token settings pointing at this simulator with its client credentials.
    package func tokenConfiguration(
        secret: String? = nil, grant: OAuthGrant = .clientCredentials, refreshToken: String? = nil,
        refreshMargin: Duration = .seconds(300), cacheFile: String? = nil, backoffInitial: Duration = .seconds(1)
    ) throws -> TokenProviderConfiguration {
        TokenProviderConfiguration(
            hosts: try GenesysHosts(apiBaseURL: baseURL, loginBaseURL: baseURL), clientID: configuration.clientID,
            clientSecret: Secret(secret ?? configuration.clientSecret), grant: grant,
            refreshToken: refreshToken.map(Secret.init),
            refreshMargin: refreshMargin, backoffInitial: backoffInitial, cacheFile: cacheFile,
            requestTimeout: .seconds(30))
    }
}
