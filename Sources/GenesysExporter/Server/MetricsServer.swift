import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOHTTPCompression
import NIOPosix
import ServiceLifecycle

/// The NIO HTTP server for /metrics, health and readiness. Responses are gzip-compressed when the
/// scraper accepts it.
public final class MetricsServer: Service, Sendable {
    public let host: String
    public let port: Int
    private let routes: ExporterRoutes
    private let channel = NIOLockedValueBox<(any Channel)?>(nil)

    public init(host: String, port: Int, routes: ExporterRoutes) {
        self.host = host
        self.port = port
        self.routes = routes
    }

    /// Binds the listening socket; returns the bound port (useful with port 0).
    @discardableResult
    public func start() async throws -> Int {
        let routes = self.routes
        let bound = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(HTTPResponseCompressor())
                    try channel.pipeline.syncOperations.addHandler(ExporterHTTPHandler(routes: routes))
                }
            }
            .bind(host: host, port: port).get()
        channel.withLockedValue { $0 = bound }
        return bound.localAddress?.port ?? port
    }

    public var boundPort: Int? { channel.withLockedValue { $0?.localAddress?.port } }

    public func stop() async {
        let current = channel.withLockedValue { $0 }
        try? await current?.close()
    }

    /// Serves until graceful shutdown (SIGTERM) or cancellation.
    public func run() async throws {
        if boundPort == nil { try await start() }
        guard let current = channel.withLockedValue({ $0 }) else { return }
        try await withGracefulShutdownHandler {
            try await withTaskCancellationHandler {
                try await current.closeFuture.get()
            } onCancel: {
                current.close(promise: nil)
            }
        } onGracefulShutdown: {
            current.close(promise: nil)
        }
    }
}
