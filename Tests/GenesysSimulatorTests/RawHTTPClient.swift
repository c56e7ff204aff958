import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A reply as read off the wire.
struct HTTPReply: Sendable {
    let status: Int
    /// Header names lower-cased; the last value wins.
    let headers: [String: String]
    let body: [UInt8]

    func header(_ name: String) -> String? { headers[name.lowercased()] }

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object, or nil if it is not one.
    var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }
}

enum RawHTTPError: Error, Equatable {
    case connectFailed(Int32)
    case writeFailed(Int32)
    /// The peer sent a TCP reset.
    case reset
    /// The peer closed the connection before a full reply.
    case closed
    /// No complete reply within the timeout.
    case timeout
    case malformedReply
}

/// One HTTP/1.1 connection over a blocking socket; the blocking calls run on their own threads, never on the
/// cooperative pool. One request at a time: the reply is read exactly (Content-Length), so nothing is over-read.
struct RawHTTPConnection: Sendable {
    let fd: Int32

    static func open(port: Int) async throws -> RawHTTPConnection {
        try await offPool {
            let fd = socket(AF_INET, streamSocketType, 0)
            guard fd >= 0 else { throw RawHTTPError.connectFailed(errno) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard result == 0 else {
                let error = errno
                closeSocket(fd)
                throw RawHTTPError.connectFailed(error)
            }
            return RawHTTPConnection(fd: fd)
        }
    }

    /// Sends one request and reads its reply; `timeout` bounds the wait for the reply.
    func send(
        _ method: String,
        _ path: String,
        headers: [(String, String)] = [],
        body: [UInt8] = [],
        timeout: Duration = .seconds(5)
    ) async throws -> HTTPReply {
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { request += "Content-Length: \(body.count)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8) + body
        let fd = self.fd
        return try await Self.offPool {
            setReceiveTimeout(fd, timeout)
            var sent = 0
            while sent < bytes.count {
                let n = bytes[sent...].withUnsafeBytes { sendBytes(fd, $0) }
                guard n > 0 else { throw RawHTTPError.writeFailed(errno) }
                sent += n
            }
            return try Self.readReply(fd: fd)
        }
    }

    func close() {
        closeSocket(fd)
    }

    /// Waits until the server closes this connection (EOF or reset); false on timeout.
    func waitForClose(timeout: Duration) async -> Bool {
        let fd = self.fd
        return
            (try? await Self.offPool { () -> Bool in
                setReceiveTimeout(fd, timeout)
                var byte: UInt8 = 0
                let n = recv(fd, &byte, 1, 0)
                return n == 0 || (n < 0 && errno == ECONNRESET)
            }) ?? false
    }

    private static func readReply(fd: Int32) throws -> HTTPReply {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        func fill() throws {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { buffer.append(contentsOf: chunk[0..<n]); return }
            if n == 0 { throw RawHTTPError.closed }
            switch errno {
            case EAGAIN, EWOULDBLOCK: throw RawHTTPError.timeout
            case ECONNRESET: throw RawHTTPError.reset
            default: throw RawHTTPError.closed
            }
        }
        let separator: [UInt8] = [13, 10, 13, 10]
        var headerEnd: Int?
        while headerEnd == nil {
            try fill()
            headerEnd = buffer.firstRange(of: separator)?.lowerBound
        }
        let head = String(decoding: buffer[0..<headerEnd!], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw RawHTTPError.malformedReply }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        let bodyStart = headerEnd! + separator.count
        while buffer.count - bodyStart < length {
            try fill()
        }
        return HTTPReply(status: status, headers: headers, body: Array(buffer[bodyStart..<(bodyStart + length)]))
    }

    /// Runs blocking socket work on a thread of its own: neither the cooperative pool nor GCD's pool
    /// (which grows slowly on Linux when many tests block at once) is held up.
    private static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try work() })
            }.start()
        }
    }
}

#if canImport(Glibc)
private let streamSocketType = Int32(SOCK_STREAM.rawValue)
private func sendBytes(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
    Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
}
private func closeSocket(_ fd: Int32) { _ = Glibc.close(fd) }
#else
private let streamSocketType = SOCK_STREAM
private func sendBytes(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
    Darwin.send(fd, bytes.baseAddress, bytes.count, 0)
}
private func closeSocket(_ fd: Int32) { _ = Darwin.close(fd) }
#endif

private func setReceiveTimeout(_ fd: Int32, _ timeout: Duration) {
    var limit = timeval()
    limit.tv_sec = .init(timeout.components.seconds)
    limit.tv_usec = .init(timeout.components.attoseconds / 1_000_000_000_000)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
}
