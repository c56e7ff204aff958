import Foundation
import GenesysBase
import GenesysServer
import NIOPosix
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Test-only credentials: the password and its bcrypt hashes (cost 10 as users would make them; cost 4 for speed).
enum TestCredentials {
    static let user = "prometheus"
    static let password = "scrape-secret"
    static let hashCost10 = "$2b$10$LfR4WuwKztU3PyJUPAUjUuokIIUjUFfFyqpBm8vTahZGLzanfFjWG"
    static let hashCost4 = "$2b$04$O5ZMpYxDbD9h9/hYrA2DLOwP3zv0lj57brtCN6jIana68tCpHNIki"

    static func basicAuthorization(user: String = user, password: String = password) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }
}

/// A scratch directory with certificates made by openssl at test time (keys never leave the temp dir):
/// a server CA and a server certificate for 127.0.0.1/localhost, a client CA and a client certificate it signed,
/// and a self-signed "stranger" client certificate.
struct TLSFixtures: Sendable {
    let directory: String

    func path(_ name: String) -> String { "\(directory)/\(name)" }

    static func make() async throws -> TLSFixtures {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("web-tls-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let fixtures = TLSFixtures(directory: directory)
        try await fixtures.makeCA("ca", commonName: "test server CA")
        try await fixtures.makeLeaf(
            "server", signedBy: "ca", commonName: "127.0.0.1",
            extensions: "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost")
        try await fixtures.makeCA("client-ca", commonName: "test client CA")
        try await fixtures.makeLeaf(
            "client", signedBy: "client-ca", commonName: "prometheus", extensions: "extendedKeyUsage=clientAuth")
        try await fixtures.makeCA("stranger", commonName: "someone else")
        return fixtures
    }

    func makeCA(_ name: String, commonName: String) async throws {
        try await openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
            path("\(name).key"),
            "-out", path("\(name).crt"), "-days", "2", "-subj", "/CN=\(commonName)",
        ])
    }

    func makeLeaf(_ name: String, signedBy ca: String, commonName: String, extensions: String) async throws {
        try await openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path("\(name).key"),
            "-out", path("\(name).csr"), "-subj", "/CN=\(commonName)",
        ])
        try Data(extensions.utf8).write(to: URL(fileURLWithPath: path("\(name).ext")))
        try await openssl([
            "x509", "-req", "-in", path("\(name).csr"), "-CA", path("\(ca).crt"), "-CAkey", path("\(ca).key"),
            "-CAcreateserial",
            "-out", path("\(name).crt"), "-days", "2", "-extfile", path("\(name).ext"),
        ])
    }

    private func openssl(_ arguments: [String]) async throws {
        let result = try await ChildProcess.run("/usr/bin/openssl", arguments, timeout: .seconds(30))
        guard result.status == 0 else {
            throw RawHTTP.Failure(description: "openssl \(arguments.first ?? "") failed: \(result.stderr)")
        }
    }

    /// The web config several tests start from: TLS with the fixture's server certificate, and the test user.
    func writeTLSAndBasicAuthConfig(to name: String = "web.yml") throws {
        try write(
            """
            tls_server_config:
              cert_file: server.crt
              key_file: server.key
            basic_auth_users:
              \(TestCredentials.user): \(TestCredentials.hashCost4)
            """, to: name)
    }

    func write(_ text: String, to name: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path(name)), options: .atomic)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

/// curl as a user would run it; -sS so failures come with one readable line.
func curl(_ arguments: [String]) async throws -> ProcessResult {
    try await ChildProcess.run("/usr/bin/curl", ["-sS", "--max-time", "10"] + arguments, timeout: .seconds(30))
}

/// A MetricsServer on 127.0.0.1 (any free port) serving a fixed page, running (web config watcher included)
/// until `body` returns.
func withWebServer<T>(
    webConfig: WebConfigSource = .none(), limits: ServerLimits = ServerLimits(),
    addresses: [ListenAddress] = [ListenAddress(host: "127.0.0.1", port: 0)],
    renderPool: NIOThreadPool = .singleton, metrics: WebServerMetrics = .unregistered(),
    page: @escaping @Sendable () -> [UInt8] = { Array("test_metric 1\n".utf8) },
    _ body: (MetricsServer, Int) async throws -> T
) async throws -> T {
    let routes = ExporterRoutes(page: page, readiness: { (true, "") })
    let server = MetricsServer(
        addresses: addresses, routes: routes, limits: limits, web: webConfig, renderPool: renderPool,
        reloadInterval: .milliseconds(50), metrics: metrics)
    let port = try await server.start()
    let running = Task { try await server.run() }
    do {
        let result = try await body(server, port)
        running.cancel()
        await server.stop()
        return result
    } catch {
        running.cancel()
        await server.stop()
        throw error
    }
}

/// A client socket driven byte by byte, for the attacks a library client would not make.
final class RawConnection: Sendable {
    let fd: Int32

    init(port: Int) throws { fd = try RawHTTP.connectLoopback(port: port) }

    deinit { close(fd) }

    /// Writes what the kernel takes without blocking; returns the number of bytes taken.
    @discardableResult
    func sendNonBlocking(_ bytes: [UInt8]) -> Int {
        let sent = bytes.withUnsafeBytes {
            Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL))
        }
        return max(sent, 0)
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard sendNonBlocking(bytes) == bytes.count else { throw RawHTTP.Failure(description: "short write") }
    }

    /// Reads until the peer closes (true) or `timeout` passes (false); returns what arrived.
    func readUntilClosed(timeout: Duration) async throws -> (closed: Bool, bytes: [UInt8]) {
        let fd = self.fd
        return try await offCooperativePool {
            let deadline = ContinuousClock.now + timeout
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while ContinuousClock.now < deadline {
                var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let left = deadline - ContinuousClock.now
                let milliseconds = Int32(
                    max(
                        1,
                        min(100, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)))
                guard poll(&descriptor, 1, milliseconds) > 0 else { continue }
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count <= 0 { return (true, received) }
                received += buffer[0..<count]
            }
            return (false, received)
        }
    }

    /// Sends one keep-alive request and reads exactly its answer (head and Content-Length body).
    func exchange(_ request: String) async throws -> RawReply {
        try send(request)
        let fd = self.fd
        let received = try await offCooperativePool { () throws -> [UInt8] in
            var data: [UInt8] = []
            var byte: UInt8 = 0
            let deadline = ContinuousClock.now + .seconds(10)
            var expected: Int?
            while ContinuousClock.now < deadline {
                var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&descriptor, 1, 100) > 0 else { continue }
                guard recv(fd, &byte, 1, 0) == 1 else {
                    throw RawHTTP.Failure(description: "closed after \(data.count) bytes")
                }
                data.append(byte)
                if expected == nil, data.count >= 4, Array(data.suffix(4)) == Array("\r\n\r\n".utf8) {
                    let head = String(decoding: data, as: UTF8.self).lowercased()
                    let length =
                        head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                        .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) }
                        ?? 0
                    expected = data.count + length
                }
                if let expected, data.count >= expected { return data }
            }
            throw RawHTTP.Failure(description: "no complete answer within 10 s")
        }
        let text = String(decoding: received, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let lines = parts[0].components(separatedBy: "\r\n")
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        return RawReply(
            statusLine: lines[0], headers: headers, body: Array(parts.dropFirst().joined(separator: "\r\n\r\n").utf8))
    }

    /// Whether the server has closed its end (an orderly EOF is waiting), without blocking.
    var isClosedByPeer: Bool {
        var byte: UInt8 = 0
        let peeked = recv(fd, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT))
        return peeked == 0 || (peeked < 0 && errno == ECONNRESET)
    }

    func setReceiveBuffer(_ bytes: Int32) {
        var size = bytes
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }
}

/// Resident memory of a process, from /proc (KiB → MiB).
func residentMiB(pid: Int32) -> Double? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
    let kib = line.split(separator: " ").compactMap { Double($0) }.first
    return kib.map { $0 / 1024 }
}
