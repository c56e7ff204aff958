import Foundation
import NIOCore
import NIOPosix
import NIOWebSocket
import Synchronization

/// A frame a `NotificationSocketClient` received.
package struct ReceivedFrame: Sendable {
    package enum Kind: Sendable, Equatable {
        case text, binary, close, ping, pong, other
    }

    package let kind: Kind
    package let bytes: [UInt8]

    /// The payload as UTF-8 text.
    package var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The payload as a JSON object, nil when it is not one.
    package var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
    }

    /// The `topicName` of a JSON text message.
    package var topicName: String? { kind == .text ? json?["topicName"] as? String : nil }

    /// `eventBody.message` of a JSON text message.
    package var eventMessage: String? { (json?["eventBody"] as? [String: Any])?["message"] as? String }

    /// The status code of a close frame.
    package var closeCode: Int? {
        guard kind == .close, bytes.count >= 2 else { return nil }
        return Int(bytes[0]) << 8 | Int(bytes[1])
    }
}

/// Why a notification socket could not be opened.
package enum NotificationSocketError: Error, Equatable {
    /// Not a `ws://host:port/path` URL.
    case badURI(String)
    /// The server answered the upgrade with this status instead of 101.
    case refused(status: Int)
    /// The connection closed, or the answer was not HTTP, before the handshake finished.
    case handshakeFailed
}

/// A small WebSocket client for the simulator's notification sockets (`ws://` only), for tests: it records every
/// frame it receives and sends what a test asks, well-formed or not.
package final class NotificationSocketClient: Sendable {
    private let channel: Channel
    private let store: FrameStore

    private init(channel: Channel, store: FrameStore) {
        self.channel = channel
        self.store = store
    }

    /// Connects to a channel's `connectUri` and completes the upgrade; throws `refused(status:)` when the server
    /// answers anything but 101.
    package static func connect(_ connectURI: String) async throws -> NotificationSocketClient {
        guard connectURI.hasPrefix("ws://") else { throw NotificationSocketError.badURI(connectURI) }
        let rest = connectURI.dropFirst("ws://".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        let path = slash == rest.endIndex ? "/" : String(rest[slash...])
        guard let colon = authority.lastIndex(of: ":"), let port = Int(authority[authority.index(after: colon)...])
        else { throw NotificationSocketError.badURI(connectURI) }
        let host = String(authority[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let store = FrameStore()
        let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let request =
            "GET \(path) HTTP/1.1\r\nHost: \(authority)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n\r\n"
        let group = MultiThreadedEventLoopGroup.singleton
        let upgraded = group.next().makePromise(of: Void.self)
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        HandshakeHandler(request: request, store: store, upgraded: upgraded))
                }
            }
            .connect(host: host, port: port).get()
        channel.closeFuture.whenComplete { _ in upgraded.fail(NotificationSocketError.handshakeFailed) }
        do {
            try await upgraded.futureResult.get()
        } catch {
            try? await channel.close()
            throw error
        }
        return NotificationSocketClient(channel: channel, store: store)
    }

    /// Every frame received so far, in order.
    package func frames() -> [ReceivedFrame] { store.frames() }

    /// Whether the connection is closed.
    package var isClosed: Bool { store.isClosed }

    /// Waits until at least `count` received frames satisfy `predicate` and returns them; nil when `timeout`
    /// passes first.
    package func waitFor(
        _ count: Int = 1, timeout: Duration = .seconds(20), where predicate: @escaping (ReceivedFrame) -> Bool
    ) async -> [ReceivedFrame]? {
        var found: [ReceivedFrame] = []
        let arrived = await eventually(timeout: timeout) {
            found = store.frames().filter(predicate)
            return found.count >= count
        }
        return arrived ? found : nil
    }

    /// Waits until at least `count` text messages of `topicName` arrived and returns them; nil on timeout.
    package func waitForMessages(
        topic topicName: String, count: Int = 1, timeout: Duration = .seconds(20)
    ) async -> [ReceivedFrame]? {
        await waitFor(count, timeout: timeout) { $0.topicName == topicName }
    }

    /// Waits until the server closed the connection; false on timeout.
    package func waitUntilClosed(timeout: Duration = .seconds(20)) async -> Bool {
        await eventually(timeout: timeout) { store.isClosed }
    }

    /// Sends a (masked) text frame.
    package func sendText(_ text: String) async throws {
        try await send(opcode: .text, bytes: Array(text.utf8))
    }

    /// Sends a (masked) binary frame.
    package func sendBinary(_ bytes: [UInt8]) async throws {
        try await send(opcode: .binary, bytes: bytes)
    }

    /// Sends a close frame with this status code.
    package func sendClose(code: UInt16 = 1000) async throws {
        try await send(opcode: .connectionClose, bytes: [UInt8(code >> 8), UInt8(code & 0xff)])
    }

    /// Sends a WebSocket ping frame.
    package func sendPing(_ bytes: [UInt8] = []) async throws {
        try await send(opcode: .ping, bytes: bytes)
    }

    /// Closes the TCP connection (no close frame).
    package func close() async {
        try? await channel.close()
    }

    private func send(opcode: WebSocketOpcode, bytes: [UInt8]) async throws {
        let frame = WebSocketFrame(
            fin: true, opcode: opcode, maskKey: .random(), data: channel.allocator.buffer(bytes: bytes))
        try await channel.writeAndFlush(frame)
    }
}

/// The frames received and whether the connection closed.
private final class FrameStore: Sendable {
    private struct Contents {
        var frames: [ReceivedFrame] = []
        var closed = false
    }

    private let contents = Mutex(Contents())

    func append(_ frame: ReceivedFrame) { contents.withLock { $0.frames.append(frame) } }
    func markClosed() { contents.withLock { $0.closed = true } }
    func frames() -> [ReceivedFrame] { contents.withLock { $0.frames } }
    var isClosed: Bool { contents.withLock { $0.closed } }
}

/// Sends the upgrade request, reads the answer's head and, on 101, puts the WebSocket codec and a frame collector
/// in its place (bytes after the head go on to the decoder).
private final class HandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let request: String
    private let store: FrameStore
    private let upgraded: EventLoopPromise<Void>
    private var received: ByteBuffer?

    init(request: String, store: FrameStore, upgraded: EventLoopPromise<Void>) {
        self.request = request
        self.store = store
        self.upgraded = upgraded
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(NIOAny(context.channel.allocator.buffer(string: request)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var chunk = unwrapInboundIn(data)
        if received == nil {
            received = chunk
        } else {
            received!.writeBuffer(&chunk)
        }
        guard var buffer = received else { return }
        let view = buffer.readableBytesView
        guard let end = view.firstRange(of: [13, 10, 13, 10]) else {
            if buffer.readableBytes > 16_384 { fail(context, .handshakeFailed) }
            return
        }
        let head = buffer.readString(length: end.upperBound - view.startIndex) ?? ""
        let statusLine = head.split(separator: "\r\n").first?.split(separator: " ") ?? []
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            fail(context, .handshakeFailed)
            return
        }
        guard status == 101 else {
            fail(context, .refused(status: status))
            return
        }
        do {
            try context.pipeline.syncOperations.addHandlers(
                [
                    ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 1 << 24)), WebSocketFrameEncoder(),
                    FrameCollector(store: store),
                ], position: .after(self))
        } catch {
            fail(context, .handshakeFailed)
            return
        }
        received = nil
        upgraded.succeed()
        if buffer.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(buffer)) }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    private func fail(_ context: ChannelHandlerContext, _ error: NotificationSocketError) {
        upgraded.fail(error)
        context.close(promise: nil)
    }
}

/// Records each frame; notes when the connection closes.
private final class FrameCollector: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame

    private let store: FrameStore

    init(store: FrameStore) {
        self.store = store
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        let kind: ReceivedFrame.Kind =
            switch frame.opcode {
            case .text: .text
            case .binary: .binary
            case .connectionClose: .close
            case .ping: .ping
            case .pong: .pong
            default: .other
            }
        store.append(ReceivedFrame(kind: kind, bytes: Array(frame.unmaskedData.readableBytesView)))
    }

    func channelInactive(context: ChannelHandlerContext) {
        store.markClosed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
