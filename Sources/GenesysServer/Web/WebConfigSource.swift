import FoundationEssentials
import GenesysBase
import Glibc
import Logging
import Synchronization

/// What a new connection is served with: TLS, basic auth and extra headers. Replaced as a whole when the web
/// config file changes, so a connection always sees one consistent configuration.
package struct WebServingState: Sendable {
    let tls: TLSServerContext?
    let authenticator: BasicAuthenticator?
    let headers: [WebConfig.HTTPHeaderSetting]
    /// Shared by every connection; kept across reloads that leave `rate_limit` as it was.
    let rateLimiter: RequestRateLimiter?

    static let plain = WebServingState(tls: nil, authenticator: nil, headers: [], rateLimiter: nil)
}

/// The `--web.config.file` and what it currently means. `reloadIfChanged` re-reads the file and the certificate,
/// key and CA files it names; a broken new version keeps the old configuration and is reported once.
package final class WebConfigSource: Sendable {
    package let path: String?
    /// bcrypt computations since start, across reloads (for tests and benchmarks).
    package let bcrypt: BcryptCounter
    /// The rate limiter's time.
    private let clock: any ExporterClock
    private let loaded: Mutex<Loaded>

    private struct Loaded {
        var state: WebServingState
        var referencedFiles: [String]
        /// Hash of the bytes the current (or last rejected) configuration was read from.
        var fingerprint: Int?
    }

    package enum ReloadOutcome: Sendable, Equatable {
        case unchanged
        case reloaded
        /// The new files are broken; the previous configuration stays in force.
        case rejected(ConfigurationError)
    }

    /// No file: plain HTTP, no authentication.
    package static func none() -> WebConfigSource { WebConfigSource() }

    private init() {
        path = nil
        bcrypt = BcryptCounter()
        clock = SystemClock()
        loaded = Mutex(Loaded(state: .plain, referencedFiles: [], fingerprint: nil))
    }

    /// Reads `path` now; a problem is a configuration error (exit 2) naming the key.
    package init(path: String, clock: any ExporterClock = SystemClock()) throws(ConfigurationError) {
        self.path = path
        let bcrypt = BcryptCounter()
        self.bcrypt = bcrypt
        self.clock = clock
        let (config, state) = try Self.load(path: path, bcrypt: bcrypt, clock: clock, previous: nil)
        let files = config.tls?.referencedFiles ?? []
        loaded = Mutex(
            Loaded(state: state, referencedFiles: files, fingerprint: Self.fingerprint(path: path, files: files)))
    }

    /// The configuration for a connection accepted now.
    var current: WebServingState { loaded.withLock { $0.state } }

    /// Whether TLS is on (for log lines and URLs).
    package var servesTLS: Bool { current.tls != nil }

    /// Whether requests need basic-auth credentials.
    package var requiresBasicAuth: Bool { current.authenticator != nil }

    /// Re-reads the files if any byte of them changed since the last look.
    @discardableResult
    package func reloadIfChanged() -> ReloadOutcome {
        guard let path else { return .unchanged }
        let (files, previous) = loaded.withLock { ($0.referencedFiles, $0.fingerprint) }
        let now = Self.fingerprint(path: path, files: files)
        guard now != previous else { return .unchanged }
        do {
            let previousLimiter = loaded.withLock { $0.state.rateLimiter }
            let (config, state) = try Self.load(path: path, bcrypt: bcrypt, clock: clock, previous: previousLimiter)
            let newFiles = config.tls?.referencedFiles ?? []
            let settled = Self.fingerprint(path: path, files: newFiles)
            loaded.withLock { $0 = Loaded(state: state, referencedFiles: newFiles, fingerprint: settled) }
            return .reloaded
        } catch {
            loaded.withLock { $0.fingerprint = now }
            return .rejected(error)
        }
    }

    /// Looks for changes every `interval` on `clock` until cancelled, logging reloads and rejections.
    package func watch(
        every interval: Duration, clock: some Clock<Duration> = ContinuousClock(), logger: Logger,
        onReload: @Sendable (_ successful: Bool) -> Void = { _ in }
    ) async {
        guard path != nil else { return }
        while !Task.isCancelled {
            do { try await clock.sleep(for: interval) } catch { return }
            switch reloadIfChanged() {
            case .unchanged: break
            case .reloaded:
                onReload(true)
                logger.info("web config reloaded", metadata: ["file": "\(path ?? "")", "tls": "\(servesTLS)"])
            case .rejected(let error):
                onReload(false)
                logger.error("web config not reloaded: keeping the previous one", metadata: ["error": "\(error)"])
            }
        }
    }

    /// - Parameter previous: the limiter in force, kept (with its tokens) when `rate_limit` did not change.
    static func load(
        path: String, bcrypt: BcryptCounter, clock: any ExporterClock, previous: RequestRateLimiter?
    ) throws(ConfigurationError) -> (WebConfig, WebServingState) {
        let bytes: [UInt8]
        switch RegularFile.bytes(path, limit: RegularFile.configurationLimit) {
        case .success(let read): bytes = read
        case .failure(.cannotOpen):
            throw .unreadableFile(path: path, setting: "--web.config.file", reason: "no such file or not readable")
        case .failure(let failure):
            throw .unreadableFile(path: path, setting: "--web.config.file", reason: failure.description)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .invalid(setting: "--web.config.file \(path)", reason: "not UTF-8 text")
        }
        let config = try WebConfigParser.parse(text, path: path)
        let tls = try config.tls.map { settings throws(ConfigurationError) in
            try TLSServerContext(settings, configPath: path)
        }
        let authenticator =
            config.basicAuthUsers.isEmpty ? nil : BasicAuthenticator(users: config.basicAuthUsers, counters: bcrypt)
        var rateLimiter: RequestRateLimiter?
        if let settings = config.rateLimit {
            if let previous, previous.settings == settings {
                rateLimiter = previous
            } else {
                rateLimiter = RequestRateLimiter(settings, clock: clock)
            }
        }
        return (
            config,
            WebServingState(tls: tls, authenticator: authenticator, headers: config.headers, rateLimiter: rateLimiter)
        )
    }

    /// A change detector over the bytes of the config file and the files it names (missing files count too). Read
    /// like the config itself, so a FIFO or device swapped in cannot block the watcher.
    private static func fingerprint(path: String, files: [String]) -> Int {
        var hasher = Hasher()
        for file in [path] + files {
            hasher.combine(file)
            switch RegularFile.bytes(file, limit: RegularFile.configurationLimit) {
            case .success(let bytes): hasher.combine(bytes)
            case .failure(let failure): hasher.combine(failure.description)
            }
        }
        return hasher.finalize()
    }
}
