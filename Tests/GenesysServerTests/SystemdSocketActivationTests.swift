import GenesysBase
import GenesysServer
import Glibc
import Testing

@Suite("Reading systemd's socket activation variables")
struct SystemdSocketActivationTests {
    func failure(_ environment: [String: String], pid: Int32 = 4242) -> String {
        do {
            let descriptors = try SystemdSocketActivation.descriptors(environment: environment, pid: pid)
            return "no error: \(descriptors)"
        } catch {
            return error.description
        }
    }

    @Test func test_descriptorsStartAt3_forThisProcessOnly() throws {
        #expect(
            try SystemdSocketActivation.descriptors(environment: ["LISTEN_FDS": "2", "LISTEN_PID": "4242"], pid: 4242)
                == [3, 4])
        #expect(failure(["LISTEN_FDS": "1", "LISTEN_PID": "99"]).contains("passed to process 99, not to this one"))
    }

    @Test(arguments: [
        ([:], "LISTEN_FDS is not set"),
        (["LISTEN_FDS": "1"], "LISTEN_PID"),
        (["LISTEN_FDS": "1", "LISTEN_PID": "-1"], "LISTEN_PID"),
        (["LISTEN_FDS": "1", "LISTEN_PID": "4242x"], "LISTEN_PID"),
        (["LISTEN_FDS": "0", "LISTEN_PID": "4242"], "not a count from 1 to 64"),
        (["LISTEN_FDS": "65", "LISTEN_PID": "4242"], "not a count from 1 to 64"),
        (["LISTEN_FDS": "99999999999999999999", "LISTEN_PID": "4242"], "not a count"),
    ])
    func test_badVariables_areOneLineNamingTheFlag(_ environment: [String: String], _ reason: String) {
        let message = failure(environment)
        #expect(message.hasPrefix("--web.systemd-socket"), "\(message)")
        #expect(message.contains(reason), "\(message)")
    }

    /// A listening TCP socket is taken and made close-on-exec; a datagram socket, a socket that is not listening
    /// and a Unix socket are refused.
    @Test func test_onlyListeningTCPSockets_areAdopted() throws {
        let listening = try Self.tcpSocket(listen: true)
        defer { close(listening) }
        try SystemdSocketActivation.adopt([listening])
        #expect(fcntl(listening, F_GETFD) & FD_CLOEXEC != 0)

        let idle = try Self.tcpSocket(listen: false)
        defer { close(idle) }
        let datagram = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(datagram) }
        let unix = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(unix) }
        for refused in [idle, datagram, unix, 9999] {
            #expect(throws: ConfigurationError.self, "descriptor \(refused)") {
                try SystemdSocketActivation.adopt([refused])
            }
        }
    }

    static func tcpSocket(listen shouldListen: Bool) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        try #require(bound == 0)
        if shouldListen { try #require(listen(fd, 8) == 0) }
        return fd
    }
}
