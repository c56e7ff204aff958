import Foundation
import GenesysBaseTestSupport
import GenesysHTTP
import GenesysTestSupport
import Testing

/// A core file or a same-user debugger would see the client secret: the running exporter allows neither,
/// and still reads its own /proc entries for the process metrics.
@Suite("Core dumps")
struct CoreDumpTests {
    private static let setpriv = "/usr/bin/setpriv"

    /// The core-file size limits of a process, from /proc/<pid>/limits ("Max core file size  0  0  bytes").
    private static func coreLimits(_ pid: Int32) -> [Substring]? {
        guard let limits = try? String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8),
            let line = limits.split(separator: "\n").first(where: { $0.hasPrefix("Max core file size") })
        else { return nil }
        return Array(line.dropFirst("Max core file size".count).split(separator: " ").prefix(2))
    }

    @Test(.timeLimit(.minutes(1)))
    func test_runningExporter_hasNoCoreFiles_isNotDumpable_andStillServesProcessMetrics() async throws {
        let exporter = try #require(ChildProcess.exporterPath)
        let port = try RawHTTP.freePort()
        let arguments = ["--demo", "--web.listen-address", "127.0.0.1:\(port)"]
        // As root, run it as another user: then a non-dumpable process shows in /proc as root's, a dumpable one as its user's.
        let asOtherUser = geteuid() == 0 && FileManager.default.isExecutableFile(atPath: Self.setpriv)
        let child =
            asOtherUser
            ? try ChildProcess(
                Self.setpriv, ["--reuid=65534", "--regid=65534", "--clear-groups", "--", exporter] + arguments)
            : try ChildProcess(exporter, arguments)
        defer { child.forceKill() }
        let client = HTTPClient()
        defer { client.shutdown() }
        try await awaitCondition("the exporter serving process_open_fds", timeout: .seconds(30)) {
            guard let response = try? await client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/metrics")),
                response.status == 200
            else { return false }
            return (try Exposition.parse(response.bodyText).value("process_open_fds") ?? 0) > 0
        }
        let pid = child.pid  // setpriv execs the exporter: same pid
        #expect(Self.coreLimits(pid) == ["0", "0"])
        if asOtherUser {
            var info = stat()
            #expect(stat("/proc/\(pid)/status", &info) == 0)
            #expect(info.st_uid == 0, "a dumpable process's /proc entries belong to its user (65534)")
        }
    }
}
