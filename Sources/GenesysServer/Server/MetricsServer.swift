import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The NIO HTTP server for /metrics, health and readiness, on one or more addresses or on sockets passed by
/// systemd. Serves TLS and basic auth from the web config (re-read when it changes), enforces `ServerLimits`, and
/// gzips when the scraper accepts it.
package final class MetricsServer: Service, Sendable {
    package let addresses: [ListenAddress]
    /// Listening sockets passed by systemd (`--web.systemd-socket`), served instead of `addresses`.
    package let inheritedSockets: [CInt]
    package let limits: ServerLimits
    package let web: WebConfigSource
    private let routes: ExporterRoutes
    private let renderPool: NIOThreadPool
    private let reloadInterval: Duration
    private let logger: Logger
    private let metrics: WebServerMetrics
    private let connections: ConcurrencyLimiter
    private let requests: ConcurrencyLimiter
    private let channels = Mutex<[any Channel]>([])

    package convenience init(host: String, port: Int, routes: ExporterRoutes) {
        self.init(addresses: [ListenAddress(host: host, port: port)], routes: routes)
    }

    /// - Parameters:
    ///   - renderPool: where answers are built (tests pass their own to hold requests).
    ///   - reloadInterval: how often the web config files are checked for changes.
    ///   - inheritedSockets: listening sockets to serve instead of binding `addresses`.
    package init(
        addresses: [ListenAddress], inheritedSockets: [CInt] = [], routes: ExporterRoutes,
        limits: ServerLimits = ServerLimits(), web: WebConfigSource = .none(), renderPool: NIOThreadPool = .singleton,
        reloadInterval: Duration = .seconds(1), metrics: WebServerMetrics = .unregistered(),
        logger: Logger = Logger(label: "genesys-exporter")
    ) {
        precondition(!addresses.isEmpty || !inheritedSockets.isEmpty, "at least one listen address or socket")
        self.addresses = addresses
        self.inheritedSockets = inheritedSockets
        self.routes = routes
        self.limits = limits
        self.web = web
        self.renderPool = renderPool
        self.reloadInterval = reloadInterval
        self.logger = logger
        self.metrics = metrics
        self.connections = ConcurrencyLimiter(limit: limits.maxConnections)
        self.requests = ConcurrencyLimiter(limit: limits.maxRequests)
    }

    struct ConnectionLimitReached: Error {}

    /// Binds every listen address, or takes over the inherited sockets; returns the first one's port (useful
    /// with port 0).
    @discardableResult
    package func start() async throws -> Int {
        var bound: [any Channel] = []
        do {
            if inheritedSockets.isEmpty {
                for address in addresses { bound.append(try await bind(address)) }
            } else {
                for socket in inheritedSockets { bound.append(try await bootstrap().withBoundSocket(socket).get()) }
            }
        } catch {
            for channel in bound { try? await channel.close() }
            throw error
        }
        channels.withLock { $0 = bound }
        return bound.first?.localAddress?.port ?? addresses.first?.port ?? 0
    }

    private func bind(_ address: ListenAddress) async throws -> any Channel {
        var bootstrap = bootstrap()
        if address.isIPv6 {
            // Lets [::]:9985 and 0.0.0.0:9985 be listed side by side.
            bootstrap = bootstrap.serverChannelOption(
                ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_v6only), value: 1)
        }
        return try await bootstrap.bind(host: address.host, port: address.port).get()
    }

    /// The listening channels' options and each connection's pipeline.
    private func bootstrap() -> ServerBootstrap {
        let (routes, limits, web, renderPool, connections, requests, metrics) = (
            routes, limits, web, renderPool, connections, requests, metrics
        )
        return ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            // Room for a burst of connects (2,000 at once in the tests) while the loop accepts them.
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // One socket read per read() call, so holding reads (backpressure) holds them promptly.
            .childChannelOption(.maxMessagesPerRead, value: 1)
            .childChannelInitializer { channel in
                guard connections.tryAcquire() else {
                    metrics.rejected(.maxConnections)
                    return channel.eventLoop.makeFailedFuture(ConnectionLimitReached())
                }
                channel.closeFuture.whenComplete { _ in connections.release() }
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(IdleStateHandler(allTimeout: TimeAmount(limits.idleTimeout)))
                    // TLS is fixed when the connection is accepted; auth and headers are read per request.
                    if let tls = web.current.tls {
                        try pipeline.addHandler(PlainHTTPOnTLSPortHandler())
                        try pipeline.addHandler(tls.makeHandler())
                    }
                    try pipeline.addHandler(
                        ConnectionTimeoutHandler(
                            requestHeadTimeout: TimeAmount(limits.requestHeadTimeout), metrics: metrics))
                    try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: true)
                    try pipeline.addHandler(
                        ExporterHTTPHandler(
                            routes: routes, web: web, requests: requests, renderPool: renderPool, metrics: metrics))
                }
            }
    }

    /// The bound ports, in the order of `addresses` (or of the inherited sockets).
    package var boundPorts: [Int] { channels.withLock { $0.compactMap { $0.localAddress?.port } } }

    /// The addresses actually listened on, `host:port` (IPv6 in brackets), for the log.
    package var boundAddresses: [String] {
        channels.withLock {
            $0.compactMap { channel in
                guard let address = channel.localAddress, let ip = address.ipAddress, let port = address.port else {
                    return nil
                }
                return ListenAddress(host: ip, port: port).description
            }
        }
    }

    package var boundPort: Int? { boundPorts.first }

    /// Connections open now (for tests).
    package var openConnections: Int { connections.current }

    /// Requests being answered now (for tests).
    package var requestsInFlight: Int { requests.current }

    package func stop() async {
        for channel in channels.withLock({ $0 }) { try? await channel.close() }
    }

    /// Serves until graceful shutdown (SIGTERM) or cancellation, re-reading the web config when it changes.
    package func run() async throws {
        if boundPort == nil { try await start() }
        let current = channels.withLock { $0 }
        guard !current.isEmpty else { return }
        let (web, reloadInterval, logger, metrics) = (web, reloadInterval, logger, metrics)
        try await withGracefulShutdownHandler {
            try await withTaskCancellationHandler {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        await web.watch(every: reloadInterval, logger: logger) { metrics.reloaded(successfully: $0) }
                    }
                    for channel in current { try await channel.closeFuture.get() }
                    group.cancelAll()
                }
            } onCancel: {
                for channel in current { channel.close(promise: nil) }
            }
        } onGracefulShutdown: {
            for channel in current { channel.close(promise: nil) }
        }
    }
}
