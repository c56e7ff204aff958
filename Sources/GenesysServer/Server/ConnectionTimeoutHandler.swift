import NIOCore

/// Sent (as an outbound user event) by the HTTP handler each time the decoder hands it part of a request, so this
/// handler, which sees only bytes, knows whether the bytes it passed on completed anything.
struct RequestPartDecoded: Sendable {}

/// Closes connections that hold resources without progress:
/// - a request head must be complete within `requestHeadTimeout` of its first byte (or of the accept, for a
///   connection's first request, which includes the TLS handshake); a late head is answered 408 and closed;
/// - a connection with no read or write for the idle timeout (signalled by NIO's `IdleStateHandler` in front) is
///   closed, including one whose client stopped reading its answer.
/// Sits after TLS, before the HTTP decoder: it sees the request's plain bytes.
final class ConnectionTimeoutHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private let requestHeadTimeout: TimeAmount
    private var headDeadline: Scheduled<Void>?
    private var bytesOfPendingHead = false
    private var decodedPartDuringRead = false

    private let metrics: WebServerMetrics

    init(requestHeadTimeout: TimeAmount, metrics: WebServerMetrics) {
        self.requestHeadTimeout = requestHeadTimeout
        self.metrics = metrics
    }

    func channelActive(context: ChannelHandlerContext) {
        armHeadDeadline(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        headDeadline?.cancel()
        headDeadline = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        decodedPartDuringRead = false
        context.fireChannelRead(data)
        if decodedPartDuringRead {
            // A head (or the end of a request) came through: its deadline is met. Leftover bytes of a pipelined
            // next request wait, unread, for the idle timeout.
            bytesOfPendingHead = false
            headDeadline?.cancel()
            headDeadline = nil
        } else {
            bytesOfPendingHead = true
            if headDeadline == nil { armHeadDeadline(context: context) }
        }
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is RequestPartDecoded else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        decodedPartDuringRead = true
        promise?.succeed(())
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .all {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func armHeadDeadline(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        headDeadline = context.eventLoop.scheduleTask(in: requestHeadTimeout) {
            let (handler, context) = loopBound.value
            handler.headDeadlinePassed(context: context)
        }
    }

    private func headDeadlinePassed(context: ChannelHandlerContext) {
        headDeadline = nil
        guard bytesOfPendingHead else {
            // Nothing of a request arrived at all: nobody to answer.
            context.close(promise: nil)
            return
        }
        metrics.rejected(.requestTimeout)
        let answer =
            "HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 20\r\nConnection: close\r\n\r\n408 request timeout\n"
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(context.channel.allocator.buffer(string: answer))))
            .whenComplete { _ in
                channel.close(promise: nil)
            }
    }
}
