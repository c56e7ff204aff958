import FoundationEssentials
import Glibc

/// Response headers in arrival order, looked up case-insensitively (Genesys varies the case).
package struct ResponseHeaders: Sendable, Sequence {
    package private(set) var fields: [(name: String, value: String)]

    package init(_ fields: [(name: String, value: String)] = []) { self.fields = fields }

    package subscript(name: String) -> String? {
        let wanted = name.lowercased()
        return fields.first { $0.name.lowercased() == wanted }?.value
    }

    package func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }
}

/// Phase timings of one transfer, read from libcurl. Each is measured from the transfer's start,
/// so dns <= connect <= tls <= firstByte <= total.
package struct TransferTiming: Sendable, Equatable {
    package var dns: Duration
    package var connect: Duration
    /// Zero for plain HTTP.
    package var tls: Duration
    package var firstByte: Duration
    package var total: Duration

    package init(
        dns: Duration = .zero, connect: Duration = .zero, tls: Duration = .zero, firstByte: Duration = .zero,
        total: Duration = .zero
    ) {
        self.dns = dns
        self.connect = connect
        self.tls = tls
        self.firstByte = firstByte
        self.total = total
    }
}

package struct HTTPResponse: Sendable {
    package var status: Int
    package var headers: ResponseHeaders
    package var body: [UInt8]
    package var timing: TransferTiming
    /// New connections this transfer opened (0 when it reused a kept-alive one).
    package var newConnections: Int

    package init(
        status: Int, headers: ResponseHeaders = ResponseHeaders(), body: [UInt8] = [],
        timing: TransferTiming = TransferTiming(), newConnections: Int = 0
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.timing = timing
        self.newConnections = newConnections
    }

    package var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The `Retry-After` header (delay-seconds or HTTP-date), never negative nor over `RetryAfter.ceiling`.
    package var retryAfter: Duration? { retryAfter(now: Date()) }

    package func retryAfter(now: Date) -> Duration? {
        headers["Retry-After"].flatMap { RetryAfter.parse($0, now: now) }
    }
}
