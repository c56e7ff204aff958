import NIOCore
import NIOWebSocket

/// One frame for a socket to send, with what it counts as.
struct OutboundNotification: Sendable {
    enum Payload: Sendable {
        case text(String)
        case binary([UInt8])
    }

    let kind: NotificationMessageKind
    let payload: Payload

    static func text(_ kind: NotificationMessageKind, _ text: String) -> OutboundNotification {
        OutboundNotification(kind: kind, payload: .text(text))
    }

    var byteCount: Int {
        switch payload {
        case .text(let text): text.utf8.count
        case .binary(let bytes): bytes.count
        }
    }
}

/// The simulator's handle on one connected WebSocket, callable from any thread: each call hops to the socket's
/// event loop, where `NotificationSocketHandler` does the work.
final class NotificationSocket: Sendable {
    let channelID: String
    private let handler: NIOLoopBound<NotificationSocketHandler>

    init(channelID: String, handler: NIOLoopBound<NotificationSocketHandler>) {
        self.channelID = channelID
        self.handler = handler
    }

    /// Queues messages, sent as the client reads them.
    func send(_ messages: [OutboundNotification]) {
        guard !messages.isEmpty else { return }
        let handler = self.handler
        handler.eventLoop.execute { handler.value.enqueue(messages) }
    }

    /// Queues `count` observation messages with this `eventBody`, made one at a time as the socket can take them.
    func flood(queueID: String, body: String, count: Int) {
        guard count > 0 else { return }
        let handler = self.handler
        handler.eventLoop.execute { handler.value.flood(queueID: queueID, body: body, count: count) }
    }

    /// Drops what is queued, sends a close frame with `code`, then closes the connection.
    func close(_ code: WebSocketErrorCode) {
        let handler = self.handler
        handler.eventLoop.execute { handler.value.closeWithFrame(code) }
    }

    /// Sends the `v2.system.socket_closing` notice, then closes (close frame 1001) after `delay`.
    func closingNotice(closeAfter delay: Duration) {
        let handler = self.handler
        handler.eventLoop.execute { handler.value.closingNotice(closeAfter: delay) }
    }

    /// Closes the TCP connection at once, without a close frame.
    func drop() {
        let handler = self.handler
        handler.eventLoop.execute { handler.value.drop() }
    }
}

/// The server side of one notification WebSocket, on its channel's event loop. Outgoing messages wait in an
/// outbox and are written while the channel is writable (NIO's default water marks, 32–64 KiB), so a client that
/// does not read holds at most `outboxLimit` bytes here before it is closed as too slow. Client frames: text
/// `{"message":"ping"}` is answered with a pong, a close frame is echoed and the connection closed, a WebSocket
/// ping is answered with a pong frame; everything else is ignored (fragments are not reassembled, so nothing is
/// buffered). Frames over 64 KiB never get here: the decoder refuses them and NIO's protocol error handler
/// closes the socket (1009).
final class NotificationSocketHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// The largest frame a client may send.
    static let maxFrameSize = 64 * 1024
    /// The most bytes of messages waiting for a client that does not read, before it is closed (1008).
    static let outboxLimit = 4 * 1024 * 1024
    /// How long a close frame may take to be written before the connection is closed anyway.
    static let closeGrace = TimeAmount.seconds(2)

    private let core: SimulatorCore
    private let channelID: String
    private var context: ChannelHandlerContext?
    private var outbox = CircularBuffer<OutboundNotification>()
    private var outboxBytes = 0
    private var floods: [(queueID: String, body: String, remaining: Int)] = []
    private var closed = false
    private var timers: [Scheduled<Void>] = []
    /// This socket's handle, once registered (set on the event loop right after the handler is added).
    var socket: NotificationSocket?

    init(core: SimulatorCore, channelID: String) {
        self.core = core
        self.channelID = channelID
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text where frame.fin:
            if Self.isPing(frame.unmaskedData) { enqueue([.text(.pong, NotificationMessages.pong)]) }
        case .connectionClose:
            echoClose(frame, context: context)
        case .ping:
            guard !closed else { return }
            context.writeAndFlush(
                wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        default:
            break
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        pump()
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        for timer in timers { timer.cancel() }
        timers.removeAll()
        outbox.removeAll()
        floods.removeAll()
        if let socket { core.notificationSocketClosed(socket) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    // MARK: Sending (called on the event loop by NotificationSocket)

    func enqueue(_ messages: [OutboundNotification]) {
        guard !closed, !core.notificationsMuted.load(ordering: .relaxed) else { return }
        for message in messages {
            outbox.append(message)
            outboxBytes += message.byteCount
        }
        if outboxBytes > Self.outboxLimit {
            core.recordSlowNotificationSocket()
            closeWithFrame(.policyViolation)
            return
        }
        pump()
    }

    func flood(queueID: String, body: String, count: Int) {
        guard !closed, !core.notificationsMuted.load(ordering: .relaxed) else { return }
        floods.append((queueID, body, count))
        pump()
    }

    func closingNotice(closeAfter delay: Duration) {
        guard let context, !closed else { return }
        enqueue([.text(.closing, NotificationMessages.socketClosing())])
        let timer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(max(delay, .zero))) {
            self.closeWithFrame(.goingAway)
        }
        timers.append(timer)
    }

    func closeWithFrame(_ code: WebSocketErrorCode) {
        guard let context, !closed else { return }
        closed = true
        outbox.removeAll()
        floods.removeAll()
        var data = context.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code)
        let written = context.writeAndFlush(
            wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)))
        written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        timers.append(
            context.eventLoop.assumeIsolated().scheduleTask(in: Self.closeGrace) { context.close(promise: nil) })
    }

    func drop() {
        guard let context else { return }
        closed = true
        context.close(promise: nil)
    }

    /// Writes queued messages while the channel takes them, then flushes; the rest waits for
    /// `channelWritabilityChanged`.
    private func pump() {
        guard let context, !closed, context.channel.isActive else { return }
        var counts: [NotificationMessageKind: Int] = [:]
        while context.channel.isWritable, let message = next() {
            let buffer: ByteBuffer
            let opcode: WebSocketOpcode
            switch message.payload {
            case .text(let text):
                buffer = context.channel.allocator.buffer(string: text)
                opcode = .text
            case .binary(let bytes):
                buffer = context.channel.allocator.buffer(bytes: bytes)
                opcode = .binary
            }
            context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: opcode, data: buffer)), promise: nil)
            counts[message.kind, default: 0] += 1
        }
        guard !counts.isEmpty else { return }
        context.flush()
        core.recordNotificationsSent(counts)
    }

    private func next() -> OutboundNotification? {
        if let message = outbox.popFirst() {
            outboxBytes -= message.byteCount
            return message
        }
        guard !floods.isEmpty else { return nil }
        let flood = floods[0]
        if flood.remaining <= 1 {
            floods.removeFirst()
        } else {
            floods[0].remaining -= 1
        }
        return .text(.observation, NotificationMessages.observation(queueID: flood.queueID, body: flood.body))
    }

    /// The client's close frame: echoed with its status code, then the connection is closed.
    private func echoClose(_ frame: WebSocketFrame, context: ChannelHandlerContext) {
        guard !closed else {
            context.close(promise: nil)
            return
        }
        closed = true
        outbox.removeAll()
        floods.removeAll()
        var data = frame.unmaskedData
        let code = data.readSlice(length: min(2, data.readableBytes)) ?? context.channel.allocator.buffer(capacity: 0)
        let written = context.writeAndFlush(
            wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: code)))
        written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    private static func isPing(_ data: ByteBuffer) -> Bool {
        guard data.readableBytes <= 1024, let object = JSONBody.decode(Array(data.readableBytesView)) as? [String: Any]
        else { return false }
        return object["message"] as? String == "ping"
    }
}
