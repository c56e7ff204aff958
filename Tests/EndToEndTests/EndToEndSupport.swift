import Foundation
import GenesysBase
import GenesysBaseTestSupport
import GenesysExporter
import GenesysSimulator
import GenesysTestSupport
import SimulatorTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs `body` with a simulator and an in-process exporter polling it; both are stopped afterwards.
func withExporter<T>(
    _ simulator: SimulatorConfiguration = SimulatorConfiguration(), telemetryPath: String = "/metrics",
    clock: any ExporterClock = SystemClock(),
    settings: (GenesysSimulator) throws -> OrgSettings = { try $0.orgSettings() },
    _ body: (GenesysSimulator, RunningExporter) async throws -> T
) async throws -> T {
    try await withSimulator(simulator) { sim in
        let exporter = try await RunningExporter(try settings(sim), telemetryPath: telemetryPath, clock: clock)
        do {
            let result = try await body(sim, exporter)
            await exporter.stop()
            return result
        } catch {
            await exporter.stop()
            throw error
        }
    }
}

/// A condition awaited with a deadline did not come true.
struct ConditionTimedOut: Error, CustomStringConvertible {
    let description: String
}

extension RunningExporter {
    /// Scrapes until `condition` holds, moving the exporter's manual clock on by 6 s every half second once 3 s have
    /// passed without it: on a starved machine a socket connect can time out, and the retry's backoff (and the
    /// stream's tick) run on that clock. Throws when about 30 s pass first.
    func scrape(
        until what: String, movingOn clock: ManualClock, _ condition: (Exposition) -> Bool
    ) async throws -> Exposition {
        for attempt in 0..<60 where !condition(try await scrape()) {
            if attempt >= 6 { clock.advance(by: .seconds(6)) }
            try await Task.sleep(for: .milliseconds(500))
        }
        return try await scrape(until: what, condition)
    }

    /// Scrapes until a scrape satisfies `condition` and returns that scrape; throws when `timeout` passes first.
    func scrape(
        until what: String, timeout: Duration = .seconds(30), path: String = "/metrics",
        _ condition: (Exposition) -> Bool
    ) async throws -> Exposition {
        let deadline = ContinuousClock.now + timeout
        var pause = Duration.milliseconds(20)
        while true {
            let exposition = try await scrape(path: path)
            if condition(exposition) { return exposition }
            guard ContinuousClock.now < deadline else {
                // The API failures so far say why (a timeout under load, a fault left set) when a test times out.
                let failures = exposition.failureSummary
                throw ConditionTimedOut(
                    description:
                        "no scrape showed \(what) within \(timeout); API failures: \(failures.isEmpty ? "none" : failures)"
                )
            }
            try await Task.sleep(for: pause)
            // Backing off to 200 ms: hundreds of tests wait at once on two cores, and every check renders and parses
            // a whole page.
            pause = min(pause * 1.5, .milliseconds(200))
        }
    }
}

/// Fails the test with `what` unless `condition` comes true before `timeout`.
func awaitCondition(_ what: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws
{
    guard try await eventually(timeout: timeout, condition) else {
        throw ConditionTimedOut(description: "\(what) did not happen within \(timeout)")
    }
}

extension Exposition {
    /// The sum over every sample of `name` matching the labels (0 when there is none).
    func sum(_ name: String, _ matching: [String: String] = [:]) -> Double {
        samples(name, matching).reduce(0) { $0 + $1.value }
    }

    /// The non-zero API failure counters, for failure messages.
    var failureSummary: String {
        samples("genesys_api_failures_total").filter { $0.value > 0 }
            .map { "\($0.labels["endpoint"] ?? "")/\($0.labels["reason"] ?? "")=\(Int($0.value))" }.sorted().joined(
                separator: ", ")
    }

    func collectorUp(_ collector: String) -> Double? {
        value("genesys_collector_up", ["collector": collector])
    }
}

/// The endpoint templates as they appear in `endpoint` labels and in the simulator's counters.
enum APIPath {
    static let tokensMe = "/api/v2/tokens/me"
    static let organizationsMe = "/api/v2/organizations/me"
    static let routingQueues = "/api/v2/routing/queues"
    static let queueObservations = "/api/v2/analytics/queues/observations/query"
    static let userObservations = "/api/v2/analytics/users/observations/query"
    static let conversationAggregates = "/api/v2/analytics/conversations/aggregates/query"
}

// MARK: Raw sockets

/// A reply read off the wire exactly as sent: for what the libcurl client would hide (a body after HEAD, the
/// absence of Content-Encoding when gzip was not asked for).
struct RawReply: Sendable {
    let statusLine: String
    /// Header names lower-cased.
    let headers: [String: String]
    let body: [UInt8]

    var status: Int { Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0 }
}

enum RawHTTP {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Sends one request with `Connection: close` and reads everything until the server closes.
    static func send(port: Int, method: String, path: String, headers: [(String, String)] = []) async throws -> RawReply
    {
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8)
        let received = try await offCooperativePool { () throws -> [UInt8] in
            let fd = try connectLoopback(port: port)
            defer { close(fd) }
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
                throw Failure(description: "write failed")
            }
            var data: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count == 0 { return data }
                if count < 0 && errno == EINTR { continue }  // a signal, not the server
                guard count > 0 else {
                    throw Failure(description: "read failed or timed out (errno \(errno)) after \(data.count) bytes")
                }
                data += buffer[0..<count]
            }
        }
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = received.indices.dropLast(3).first(where: { Array(received[$0..<$0 + 4]) == separator }) else {
            throw Failure(description: "no complete response head in \(received.count) bytes")
        }
        let lines = String(decoding: received[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        return RawReply(statusLine: lines.first ?? "", headers: headers, body: Array(received[(end + 4)...]))
    }

    static func connectLoopback(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, streamSocketType, 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed") }
        var address = loopbackAddress(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(fd)
            throw Failure(description: "connect to 127.0.0.1:\(port) failed (errno \(errno))")
        }
        return fd
    }

    /// A loopback port that was free a moment ago (bind to port 0, read the port, close).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, streamSocketType, 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed") }
        defer { close(fd) }
        var address = loopbackAddress(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw Failure(description: "bind failed (errno \(errno))") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw Failure(description: "getsockname failed (errno \(errno))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func loopbackAddress(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    #if canImport(Glibc)
    static let streamSocketType = Int32(SOCK_STREAM.rawValue)
    #else
    static let streamSocketType = SOCK_STREAM
    #endif
}

/// Runs blocking work on its own thread so it never parks a thread of the cooperative pool.
func offCooperativePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}
