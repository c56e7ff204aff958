import FoundationEssentials
import Glibc
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

/// The listening socket and its connections: one loopback port serving both the login and the API host.
/// Each simulator has an event loop of its own: replies are built on it (a page of 500 queues takes a while in
/// a debug build), and tests run dozens of simulators at once, which must not hold each other up.
final class SimulatorServer: Sendable {
    private let serverChannel: Channel
    private let connections: ConnectionRegistry
    private let group: MultiThreadedEventLoopGroup

    /// The port actually bound (useful when asked for port 0).
    let port: Int

    private init(serverChannel: Channel, connections: ConnectionRegistry, group: MultiThreadedEventLoopGroup) {
        self.serverChannel = serverChannel
        self.connections = connections
        self.group = group
        self.port = serverChannel.localAddress?.port ?? 0
    }

    static func start(host: String, port: Int, core: SimulatorCore) async throws -> SimulatorServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            return try await start(host: host, port: port, core: core, group: group)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    private static func start(
        host: String, port: Int, core: SimulatorCore, group: MultiThreadedEventLoopGroup
    ) async throws -> SimulatorServer {
        let connections = ConnectionRegistry()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // a TCP-level option: .socketOption would set SO_DEBUG, refused to non-root
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                core.connectionAccepted()
                connections.add(channel)
                return channel.eventLoop.makeCompletedFuture {
                    // The notification service's WebSocket (`/channels/{channelId}`) is an upgrade of a connection's
                    // first request; every other request, upgrade or not, goes to the HTTP handler as before.
                    let upgrade: NIOHTTPServerUpgradeSendableConfiguration = (
                        upgraders: [core.notificationUpgrader()],
                        completionHandler: { context in
                            let pipeline = context.pipeline.syncOperations
                            if let http = try? pipeline.context(handlerType: SimulatorHTTPHandler.self) {
                                pipeline.removeHandler(context: http, promise: nil)
                            }
                        }
                    )
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withPipeliningAssistance: true, withServerUpgrade: upgrade)
                    try channel.pipeline.syncOperations.addHandler(SimulatorHTTPHandler(core: core))
                }
            }
        let channel = try await bootstrap.bind(host: host, port: port).get()
        return SimulatorServer(serverChannel: channel, connections: connections, group: group)
    }

    /// The event loop every connection and timer of this simulator runs on (its group has one thread).
    var eventLoop: EventLoop { group.next() }

    /// Closes the listener, then every open connection (hung ones included), then stops the event loop.
    func shutdown() async {
        try? await serverChannel.close()
        await connections.closeAll()
        try? await group.shutdownGracefully()
    }
}

/// Open child channels, so shutdown can close them.
private final class ConnectionRegistry: Sendable {
    private struct Registry {
        var channels: [ObjectIdentifier: Channel] = [:]
        var closed = false
    }

    private let registry = Mutex(Registry())

    func add(_ channel: Channel) {
        let key = ObjectIdentifier(channel)
        let accepted = registry.withLock { registry in
            guard !registry.closed else { return false }
            registry.channels[key] = channel
            return true
        }
        guard accepted else {
            channel.close(promise: nil)
            return
        }
        channel.closeFuture.whenComplete { [weak self] _ in
            self?.registry.withLock { _ = $0.channels.removeValue(forKey: key) }
        }
    }

    func closeAll() async {
        let channels = registry.withLock { registry in
            registry.closed = true
            defer { registry.channels.removeAll() }
            return Array(registry.channels.values)
        }
        for channel in channels {
            try? await channel.close()
        }
    }
}

/// Collects one request at a time (the pipelining handler queues the next) and writes the simulator's answer,
/// now, later (scheduled on the event loop), never (hang), or as a TCP reset.
private final class SimulatorHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let core: SimulatorCore
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var pendingReply: Scheduled<Void>?
    private var tokenRequestInFlight = false
    private var hanging = false

    init(core: SimulatorCore) {
        self.core = core
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.removeAll(keepingCapacity: true)
        case .body(let chunk):
            body.append(contentsOf: chunk.readableBytesView)
        case .end:
            guard let head, !hanging else { return }
            self.head = nil
            answer(head, context: context)
        }
    }

    private func answer(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let request = SimulatorRequest(method: head.method.rawValue, uri: head.uri, headers: head.headers, body: body)
        if request.path == OAuthRoutes.path {
            tokenRequestInFlight = true
            core.tokenRequestStarted()
        }
        switch core.handle(request) {
        case .respond(let response, let delay):
            if let delay, delay > .zero {
                pendingReply = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(delay)) {
                    self.pendingReply = nil
                    self.write(response, for: head, context: context)
                }
            } else {
                write(response, for: head, context: context)
            }
        case .drip(let response, let chunkBytes, let interval):
            writeHead(response, for: head, context: context)
            drip(response.body[...], chunkBytes: chunkBytes, every: interval, for: head, context: context)
        case .reset:
            finishTokenRequest()
            let channel = context.channel
            if let sockets = channel as? SocketOptionProvider {
                // SO_LINGER 0 turns the close into a TCP RST.
                sockets.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
            } else {
                channel.close(promise: nil)
            }
        case .hang:
            hanging = true
        }
    }

    private func write(_ response: SimulatorResponse, for request: HTTPRequestHead, context: ChannelHandlerContext) {
        writeHead(response, for: request, context: context)
        var buffer = context.channel.allocator.buffer(capacity: response.body.count)
        buffer.writeBytes(response.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        writeEnd(for: request, context: context)
    }

    /// The status line and headers, with the full body's Content-Length.
    private func writeHead(_ response: SimulatorResponse, for request: HTTPRequestHead, context: ChannelHandlerContext)
    {
        finishTokenRequest()
        var headers = HTTPHeaders()
        if !response.headers.contains(where: { $0.0.lowercased() == "content-type" }) {
            headers.add(name: "Content-Type", value: "application/json")
        }
        for (name, value) in response.headers {
            headers.add(name: name, value: value)
        }
        headers.add(name: "Date", value: IMFFixdate.string(from: Date()))
        headers.add(name: "ININ-Correlation-Id", value: UUID().uuidString.lowercased())
        headers.add(name: "Content-Length", value: String(response.body.count))
        headers.add(name: "Connection", value: request.isKeepAlive ? "keep-alive" : "close")
        let status = HTTPResponseStatus(statusCode: response.status)
        context.writeAndFlush(
            wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))),
            promise: nil)
    }

    private func writeEnd(for request: HTTPRequestHead, context: ChannelHandlerContext) {
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !request.isKeepAlive {
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    /// Writes `remaining` one chunk per interval, each write scheduled on the event loop; a closed
    /// connection cancels the next one (`channelInactive`).
    private func drip(
        _ remaining: ArraySlice<UInt8>, chunkBytes: Int, every interval: Duration, for request: HTTPRequestHead,
        context: ChannelHandlerContext
    ) {
        guard !remaining.isEmpty else {
            writeEnd(for: request, context: context)
            return
        }
        pendingReply = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(interval)) {
            self.pendingReply = nil
            let chunk = remaining.prefix(chunkBytes)
            var buffer = context.channel.allocator.buffer(capacity: chunk.count)
            buffer.writeBytes(chunk)
            context.writeAndFlush(self.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            self.drip(
                remaining.dropFirst(chunk.count), chunkBytes: chunkBytes, every: interval, for: request,
                context: context)
        }
    }

    private func finishTokenRequest() {
        guard tokenRequestInFlight else { return }
        tokenRequestInFlight = false
        core.tokenRequestFinished()
    }

    func channelInactive(context: ChannelHandlerContext) {
        pendingReply?.cancel()
        pendingReply = nil
        finishTokenRequest()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A refused WebSocket upgrade (not a live channel, or bad upgrade headers): the request itself follows
        // and is answered like any other.
        if error is NIOWebSocketUpgradeError { return }
        context.close(promise: nil)
    }
}
