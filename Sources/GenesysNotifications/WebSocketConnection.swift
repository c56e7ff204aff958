import GenesysBase
import GenesysHTTP
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import Synchronization

/// What arrives on a notification socket, in order; the stream ends when the socket is closed.
package enum WebSocketInbound: Sendable {
    case text([UInt8])
    /// A binary frame (the notification service sends none): only its size is kept.
    case binary(bytes: Int)
}

/// Why a socket could not be opened.
package struct WebSocketError: Error, Sendable, CustomStringConvertible {
    package let description: String
    init(_ description: String) { self.description = description }
}

/// Bounds on what a socket may cost: a message over `maxMessageBytes` closes it; beyond `maxQueuedMessages` read but
/// not yet consumed, messages are dropped and counted.
package struct WebSocketLimits: Sendable {
    package var maxMessageBytes = 256 * 1024
    package var maxQueuedMessages = 10_000
    package var connectTimeout: Duration = .seconds(10)

    package init() {}
}

/// A WebSocket client over NIOWebSocket and NIOSSL (Debian 12's libcurl has no ws/wss). The same URL and TLS rules as
/// the API client: `wss` (TLS, verified against the system roots and the CA file) anywhere, plain `ws` only to a
/// loopback host, no user info.
package final class WebSocketConnection: Sendable {
    /// Frames in arrival order; finished when the socket closes for any reason.
    package let inbound: AsyncStream<WebSocketInbound>
    private let channel: any Channel
    private let droppedCount: Atomic<Int>

    /// Messages the consumer was too slow for (the flood bound), since the socket opened.
    package var dropped: Int { droppedCount.load(ordering: .relaxed) }

    private init(channel: any Channel, inbound: AsyncStream<WebSocketInbound>, droppedCount: Int) {
        self.channel = channel
        self.inbound = inbound
        self.droppedCount = Atomic(droppedCount)
    }

    /// Opens `url` (`wss://host[:port]/path`); throws when the URL breaks the rules, the connection or the TLS
    /// handshake fails, or the server does not switch to WebSocket within the connect timeout.
    package static func connect(
        _ url: String, caFile: String?, limits: WebSocketLimits = WebSocketLimits()
    ) async throws(WebSocketError) -> WebSocketConnection {
        let parsed: ParsedURL
        switch ParsedURL.parse(url, schemes: ["wss", "ws"]) {
        case .success(let value): parsed = value
        case .failure(let rejection): throw WebSocketError("the notification URL \(rejection.reason)")
        }
        if parsed.scheme == "ws" && !parsed.isLoopback {
            throw WebSocketError("the notification URL uses plain ws:// to a host that is not loopback; wss:// only")
        }
        let tls: NIOSSLContext?
        do { tls = parsed.scheme == "wss" ? try tlsContext(caFile: caFile) : nil } catch {
            throw WebSocketError("TLS setup failed: \(error)")
        }
        let host = parsed.host.hasPrefix("[") ? String(parsed.host.dropFirst().dropLast()) : parsed.host
        let port = parsed.port ?? (parsed.scheme == "wss" ? 443 : 80)
        let (stream, continuation) = AsyncStream.makeStream(
            of: WebSocketInbound.self, bufferingPolicy: .bufferingOldest(limits.maxQueuedMessages))
        let drops = DropCounter()
        let upgrade: EventLoopFuture<UpgradeResult>
        do {
            upgrade = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.nanoseconds(Int64(limits.connectTimeout.seconds * 1e9)))
                .channelOption(.socketOption(.so_keepalive), value: 1)
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls {
                            let sni = isIPAddress(host) ? nil : host
                            try channel.pipeline.syncOperations.addHandler(
                                try NIOSSLClientHandler(context: tls, serverHostname: sni))
                        }
                        // The whole handshake must finish in time: a server that accepts and never answers.
                        let deadline = channel.eventLoop.scheduleTask(
                            in: .nanoseconds(
                                Int64(limits.connectTimeout.seconds * 1e9))
                        ) { channel.close(promise: nil) }
                        return try configure(
                            channel, host: parsed.host, port: parsed.port, path: parsed.path,
                            limits: limits, continuation: continuation, drops: drops, deadline: deadline)
                    }
                }
        } catch {
            continuation.finish()
            throw WebSocketError("could not connect to \(parsed.host): \(error)")
        }
        let result: UpgradeResult
        do { result = try await upgrade.get() } catch {
            continuation.finish()
            throw WebSocketError("the WebSocket handshake with \(parsed.host) failed: \(error)")
        }
        switch result {
        case .upgraded(let channel):
            let connection = WebSocketConnection(channel: channel, inbound: stream, droppedCount: 0)
            drops.attach(connection)
            return connection
        case .refused(let channel):
            continuation.finish()
            try? await channel.close()
            throw WebSocketError("\(parsed.host) refused the WebSocket upgrade (the channel may have expired)")
        }
    }

    /// Sends one text message (masked, as a client must).
    package func send(text: String) async {
        let frame = WebSocketFrame(
            fin: true, opcode: .text, maskKey: .random(), data: channel.allocator.buffer(string: text))
        try? await channel.writeAndFlush(frame)
    }

    /// Sends a close frame and closes the socket; the inbound stream then ends.
    package func close() async {
        let frame = WebSocketFrame(
            fin: true, opcode: .connectionClose, maskKey: .random(),
            data: channel.allocator.buffer(integer: UInt16(1000)))
        try? await channel.writeAndFlush(frame)
        try? await channel.close()
    }

    fileprivate func countDrop() { droppedCount.wrappingAdd(1, ordering: .relaxed) }

    enum UpgradeResult: Sendable {
        case upgraded(any Channel)
        case refused(any Channel)
    }

    private static func configure(
        _ channel: any Channel, host: String, port: Int?, path: String, limits: WebSocketLimits,
        continuation: AsyncStream<WebSocketInbound>.Continuation, drops: DropCounter,
        deadline: Scheduled<Void>
    ) throws -> EventLoopFuture<UpgradeResult> {
        let upgrader = NIOTypedWebSocketClientUpgrader<UpgradeResult>(
            maxFrameSize: limits.maxMessageBytes,
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    deadline.cancel()
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(
                        NIOWebSocketFrameAggregator(
                            minNonFinalFragmentSize: 1, maxAccumulatedFrameCount: 64,
                            maxAccumulatedFrameSize: limits.maxMessageBytes))
                    try sync.addHandler(WebSocketFrameForwarder(continuation: continuation, drops: drops))
                    return UpgradeResult.upgraded(channel)
                }
            })
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host + (port.map { ":\($0)" } ?? ""))
        headers.add(name: "User-Agent", value: BuildInfo.userAgent)
        headers.add(name: "Content-Length", value: "0")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path.isEmpty ? "/" : path, headers: headers)
        var configuration = NIOUpgradableHTTPClientPipelineConfiguration(
            upgradeConfiguration: NIOTypedHTTPClientUpgradeConfiguration(
                upgradeRequestHead: head, upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        deadline.cancel()
                        return UpgradeResult.refused(channel)
                    }
                }))
        // A frame that arrives with the 101 answer must reach the WebSocket decoder, not be dropped.
        configuration.leftOverBytesStrategy = .forwardBytes
        return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: configuration)
    }

    private static func tlsContext(caFile: String?) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let caFile { configuration.additionalTrustRoots = [.file(caFile)] }
        return try NIOSSLContext(configuration: configuration)
    }

    private static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}

/// Counts drops before the connection object exists (frames can arrive with the 101 answer) and after.
private final class DropCounter: Sendable {
    private let state = Mutex<(early: Int, connection: WebSocketConnection?)>((0, nil))

    func attach(_ connection: WebSocketConnection) {
        let early = state.withLock { state in
            state.connection = connection
            return state.early
        }
        for _ in 0..<early { connection.countDrop() }
    }

    func record() {
        let connection: WebSocketConnection? = state.withLock { state in
            if state.connection == nil { state.early += 1 }
            return state.connection
        }
        connection?.countDrop()
    }
}

/// Hands complete messages to the connection's stream; answers pings and close frames as RFC 6455 asks.
private final class WebSocketFrameForwarder: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let continuation: AsyncStream<WebSocketInbound>.Continuation
    private let drops: DropCounter
    private var closeSent = false

    init(continuation: AsyncStream<WebSocketInbound>.Continuation, drops: DropCounter) {
        self.continuation = continuation
        self.drops = drops
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            var payload = frame.unmaskedData
            let bytes = payload.readBytes(length: payload.readableBytes) ?? []
            if case .dropped = continuation.yield(.text(bytes)) { drops.record() }
        case .binary:
            if case .dropped = continuation.yield(.binary(bytes: frame.length)) { drops.record() }
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(Self.wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            if !closeSent {
                closeSent = true
                var data = frame.unmaskedData
                let code = data.readInteger(as: UInt16.self) ?? 1000
                let reply = WebSocketFrame(
                    fin: true, opcode: .connectionClose, maskKey: .random(),
                    data: context.channel.allocator.buffer(integer: code))
                let channel = context.channel
                context.writeAndFlush(Self.wrapOutboundOut(reply)).whenComplete { _ in channel.close(promise: nil) }
            }
        default:
            break  // pong and reserved opcodes: nothing to do
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A protocol error (an oversized or malformed frame): the socket is not worth keeping.
        continuation.finish()
        context.close(promise: nil)
    }
}
