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
    /// Frames in arrival order, in batches of what one read of the socket brought (a task wakes once per batch, not
    /// once per message); finished when the socket closes for any reason.
    package let inbound: InboundBatches
    private let channel: any Channel

    /// Messages the consumer was too slow for (the flood bound), since the socket opened.
    package var dropped: Int { inbound.queue.dropped }

    private init(channel: any Channel, inbound: InboundBatches) {
        self.channel = channel
        self.inbound = inbound
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
        // Unbounded as a stream: `InboundQueue` bounds the messages read but not yet consumed.
        let (stream, continuation) = AsyncStream.makeStream(of: [WebSocketInbound].self)
        let queue = InboundQueue(limit: limits.maxQueuedMessages)
        let upgrade: EventLoopFuture<UpgradeResult>
        do {
            upgrade = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.nanoseconds(Int64(limits.connectTimeout.seconds * 1e9)))
                .channelOption(.socketOption(.so_keepalive), value: 1)
                // One read buffer per socket, at most 8 KiB: NIO's defaults keep up to four of up to 64 KiB each
                // (heaptrack: 67 KB a socket, 13 MiB over 200 orgs), and a buffer once grown stays at its largest.
                // Messages are about 500 bytes; at 600 a second on one socket, 8 KiB is some 40 reads a second.
                .channelOption(.maxMessagesPerRead, value: 1)
                .channelOption(
                    .recvAllocator,
                    value: AdaptiveRecvByteBufferAllocator(minimum: 1024, initial: 2048, maximum: 8 * 1024)
                )
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
                            limits: limits, continuation: continuation, queue: queue, deadline: deadline)
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
            return WebSocketConnection(channel: channel, inbound: InboundBatches(stream: stream, queue: queue))
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

    enum UpgradeResult: Sendable {
        case upgraded(any Channel)
        case refused(any Channel)
    }

    private static func configure(
        _ channel: any Channel, host: String, port: Int?, path: String, limits: WebSocketLimits,
        continuation: AsyncStream<[WebSocketInbound]>.Continuation, queue: InboundQueue,
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
                    try sync.addHandler(WebSocketFrameForwarder(continuation: continuation, queue: queue))
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

/// Messages read but not yet consumed, bounded, and the ones dropped past the bound (frames can arrive with the 101
/// answer, before the connection object exists, so this is made first).
final class InboundQueue: Sendable {
    private let limit: Int
    private let queued = Atomic<Int>(0)
    private let droppedCount = Atomic<Int>(0)

    init(limit: Int) { self.limit = limit }

    var dropped: Int { droppedCount.load(ordering: .relaxed) }

    /// Whether one more message (beyond `pending` not yet handed over) fits; counts a drop when it does not.
    func admits(pending: Int) -> Bool {
        guard queued.load(ordering: .relaxed) + pending < limit else {
            droppedCount.wrappingAdd(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func handedOver(_ count: Int) { queued.wrappingAdd(count, ordering: .relaxed) }

    func consumed(_ count: Int) { queued.wrappingSubtract(count, ordering: .relaxed) }
}

/// The connection's inbound batches; taking one frees its room in the queue.
package struct InboundBatches: AsyncSequence, Sendable {
    package typealias Element = [WebSocketInbound]

    let stream: AsyncStream<[WebSocketInbound]>
    let queue: InboundQueue

    package struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncStream<[WebSocketInbound]>.AsyncIterator
        let queue: InboundQueue

        package mutating func next() async -> [WebSocketInbound]? {
            guard let batch = await base.next() else { return nil }
            queue.consumed(batch.count)
            return batch
        }
    }

    package func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: stream.makeAsyncIterator(), queue: queue)
    }
}

/// Hands complete messages to the connection's stream; answers pings and close frames as RFC 6455 asks.
private final class WebSocketFrameForwarder: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// A batch is handed over at the end of each read, or at this many messages.
    static let largestBatch = 512

    private let continuation: AsyncStream<[WebSocketInbound]>.Continuation
    private let queue: InboundQueue
    private var pending: [WebSocketInbound] = []
    private var closeSent = false

    init(continuation: AsyncStream<[WebSocketInbound]>.Continuation, queue: InboundQueue) {
        self.continuation = continuation
        self.queue = queue
    }

    private func add(_ message: WebSocketInbound) {
        guard queue.admits(pending: pending.count) else { return }
        pending.append(message)
        if pending.count >= Self.largestBatch { handOver() }
    }

    private func handOver() {
        guard !pending.isEmpty else { return }
        queue.handedOver(pending.count)
        continuation.yield(pending)
        // Not emptied keeping its room: the batch handed over shares the buffer, so that would allocate a new one as
        // large as the largest batch, kept per socket while it idles.
        pending = []
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        handOver()
        context.fireChannelReadComplete()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            var payload = frame.unmaskedData
            add(.text(payload.readBytes(length: payload.readableBytes) ?? []))
        case .binary:
            add(.binary(bytes: frame.length))
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
        handOver()
        continuation.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A protocol error (an oversized or malformed frame): the socket is not worth keeping.
        handOver()
        continuation.finish()
        context.close(promise: nil)
    }
}
