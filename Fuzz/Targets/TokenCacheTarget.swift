import Foundation
import GenesysAuth
import GenesysBase
import GenesysHTTP
import Logging

/// The token cache file, loaded the way start-up does: `TokenProvider.init` reads it, checks the
/// fingerprint and turns the stored numbers into a token's age and deadline.
enum TokenCacheTarget {
    /// The client and login host the seeds' fingerprints belong to, so inputs get past the fingerprint check.
    static let clientID = "fuzz-client"
    static let hosts = GenesysHosts(region: .named("mypurecloud.com")!)
    static let http = HTTPClient()
    static let quiet = Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() })

    /// An hour after the seeds' `obtained_at`, so a run is repeatable.
    struct FixedClock: ExporterClock {
        let start = ContinuousClock.now
        var now: ContinuousClock.Instant { start }
        var unixNow: Double { 1_795_003_600 }
        func sleep(until deadline: ContinuousClock.Instant) async throws {}
    }

    static func load(_ data: [UInt8]) {
        // A file per call: the replay test runs inputs in parallel.
        let path = NSTemporaryDirectory() + "genesys-fuzz-token-cache-\(getpid())-\(UUID().uuidString)"
        defer { unlink(path) }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { fatalError("cannot create \(path): errno \(errno)") }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == data.count else { fatalError("cannot write \(path)") }
        for grant in OAuthGrant.allCases {
            let configuration = TokenProviderConfiguration(
                hosts: hosts, clientID: clientID, clientSecret: Secret("fuzz-secret"), grant: grant, cacheFile: path)
            _ = TokenProvider(configuration: configuration, http: http, logger: quiet, clock: FixedClock())
        }
    }
}
