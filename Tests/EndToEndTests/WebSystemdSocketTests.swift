import Foundation
import Testing

/// `--web.systemd-socket` with systemd's own activator: `systemd-socket-activate` binds the port, waits for the first
/// connection and then execs the exporter with the socket as descriptor 3, as a `.socket` unit would.
@Suite("Socket activation with systemd-socket-activate")
struct WebSystemdSocketTests {
    static let activator = "/usr/bin/systemd-socket-activate"

    @Test func test_theDemo_servesOnTheSocketSystemdPasses() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.activator),
            "systemd-socket-activate (Debian: apt-get install systemd; scripts/install-deps does)")
        let port = try RawHTTP.freePort()
        let child = try ChildProcess(
            Self.activator,
            [
                "--listen", "127.0.0.1:\(port)", try ExecutableTests.exporter(), "--demo", "--web.systemd-socket",
                "--log.level", "info",
            ])
        defer { child.terminateAndReap() }
        // The first connection waits in the socket's backlog while the activator starts the exporter.
        try await awaitCondition("a demo scrape over the activated socket", timeout: .seconds(30)) {
            guard let scrape = try? await RawHTTP.send(port: port, method: "GET", path: "/metrics") else {
                return false
            }
            return scrape.status == 200
                && String(decoding: scrape.body, as: UTF8.self).contains("genesys_collector_up{collector=\"queues\"} 1")
        }
        #expect(try await RawHTTP.send(port: port, method: "GET", path: "/-/healthy").status == 200)
        child.terminate()
        let result = try await child.wait(timeout: .seconds(30))
        #expect(result.status == 0 && !result.signalled, "a clean stop on SIGTERM; stderr: \(result.stderr)")
        let listening = result.stderrLines.first { $0.contains("listening") } ?? ""
        #expect(listening.contains("127.0.0.1:\(port)"), "the log names the socket's address: \(listening)")
    }

    /// A datagram socket is not something to serve HTTP on: one line naming the flag, exit status 2.
    @Test func test_aDatagramSocket_exits2_namingTheFlag() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.activator))
        let port = try RawHTTP.freePort()
        let child = try ChildProcess(
            Self.activator,
            [
                "--datagram", "--listen", "127.0.0.1:\(port)", try ExecutableTests.exporter(), "--demo",
                "--web.systemd-socket",
            ])
        defer { child.terminateAndReap() }
        // The activator execs on the first datagram; it may not be listening yet when the first is sent.
        let knocking = Task {
            while !Task.isCancelled {
                Self.sendDatagram(port: port)
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        defer { knocking.cancel() }
        let result = try await child.wait(timeout: .seconds(30))
        #expect(result.status == 2, "stderr: \(result.stderr)")
        // The activator logs its own lines (with the command line) before it execs.
        let errors = result.stderrLines.filter { $0.contains("configuration error") }
        #expect(errors.count == 1, "\(result.stderr)")
        #expect(errors.first?.contains("--web.systemd-socket: descriptor 3 is not a listening TCP socket") == true)
    }

    private static func sendDatagram(port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let byte: [UInt8] = [0]
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, byte, 1, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }
}
