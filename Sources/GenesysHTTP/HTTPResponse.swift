import Foundation

/// Response headers in arrival order, looked up case-insensitively (Genesys varies the case).
public struct ResponseHeaders: Sendable, Sequence {
    public private(set) var fields: [(name: String, value: String)]

    public init(_ fields: [(name: String, value: String)] = []) { self.fields = fields }

    public subscript(name: String) -> String? {
        let wanted = name.lowercased()
        return fields.first { $0.name.lowercased() == wanted }?.value
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }
}

/// Phase timings of one transfer, read from libcurl. Each is measured from the transfer's start,
/// so dns <= connect <= tls <= firstByte <= total.
public struct TransferTiming: Sendable, Equatable {
    public var dns: Duration
    public var connect: Duration
    /// Zero for plain HTTP.
    public var tls: Duration
    public var firstByte: Duration
    public var total: Duration

    public init(
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

public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: ResponseHeaders
    public var body: [UInt8]
    public var timing: TransferTiming
    /// New connections this transfer opened (0 when it reused a kept-alive one).
    public var newConnections: Int

    public init(
        status: Int, headers: ResponseHeaders = ResponseHeaders(), body: [UInt8] = [],
        timing: TransferTiming = TransferTiming(), newConnections: Int = 0
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.timing = timing
        self.newConnections = newConnections
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The `Retry-After` header (delay-seconds or HTTP-date), never negative nor over `RetryAfter.ceiling`.
    public var retryAfter: Duration? { retryAfter(now: Date()) }

    package func retryAfter(now: Date) -> Duration? {
        headers["Retry-After"].flatMap { RetryAfter.parse($0, now: now) }
    }
}
