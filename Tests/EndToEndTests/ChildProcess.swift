import Foundation
import SimulatorTestSupport
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a child process ended and what it printed.
struct ProcessResult: Sendable {
    let status: Int32
    /// True when a signal ended it (then `status` is the signal number).
    let signalled: Bool
    let stdout: String
    let stderr: String

    /// stderr split into its non-empty lines.
    var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
}

/// A launched child process whose stdout and stderr are drained on their own threads, so a chatty child never
/// blocks on a full pipe.
final class ChildProcess: Sendable {
    private let spawned: SpawnedProcess
    private let output = Mutex<(stdout: Data?, stderr: Data?)>((nil, nil))

    var pid: pid_t { spawned.pid }

    /// Starts `path` with exactly `environment` (nothing is inherited but PATH, HOME and sanitizer options) in a scratch directory.
    init(_ path: String, _ arguments: [String], environment: [String: String] = [:], stdin: [UInt8] = []) throws {
        var inherited: [String: String] = [:]
        // Sanitizer settings pass through, so a sanitized test run configures its sanitized children alike.
        for name in ["PATH", "HOME", "ASAN_OPTIONS", "TSAN_OPTIONS", "LSAN_OPTIONS"] {
            inherited[name] = ProcessInfo.processInfo.environment[name]
        }
        let input = try ClosingPipe(), stdout = try ClosingPipe(), stderr = try ClosingPipe()
        defer {
            // The child has its own copies; the parent keeps only the ends it reads and writes.
            for descriptor in [input.reading, stdout.writing, stderr.writing] { close(descriptor) }
        }
        do {
            // Not the package directory: the exporter reads ./.env when present.
            spawned = try SpawnedProcess(
                path, arguments, environment: inherited.merging(environment) { _, mine in mine },
                directory: FileManager.default.temporaryDirectory.path, stdin: input.reading, stdout: stdout.writing,
                stderr: stderr.writing)
        } catch {
            for descriptor in [input.writing, stdout.reading, stderr.reading] { close(descriptor) }
            throw error
        }
        Thread.detachNewThread {
            var offset = 0
            while offset < stdin.count {
                let written = stdin[offset...].withUnsafeBytes { write(input.writing, $0.baseAddress, $0.count) }
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            close(input.writing)
        }
        Thread.detachNewThread { [self] in
            let data = readToEnd(descriptor: stdout.reading)
            close(stdout.reading)
            output.withLock { $0.stdout = data }
        }
        Thread.detachNewThread { [self] in
            let data = readToEnd(descriptor: stderr.reading)
            close(stderr.reading)
            output.withLock { $0.stderr = data }
        }
    }

    /// Runs a child to completion.
    static func run(
        _ path: String, _ arguments: [String], environment: [String: String] = [:], stdin: [UInt8] = [],
        timeout: Duration = .seconds(60)
    ) async throws -> ProcessResult {
        try await ChildProcess(path, arguments, environment: environment, stdin: stdin).wait(timeout: timeout)
    }

    struct TimedOut: Error, CustomStringConvertible { let description: String }

    /// Waits for the exit and for both pipes to be drained; kills the child when `timeout` passes first.
    func wait(timeout: Duration = .seconds(60)) async throws -> ProcessResult {
        let deadline = ContinuousClock.now + timeout
        var ended = spawned.poll()
        while ended == nil {
            if ContinuousClock.now >= deadline {
                kill(spawned.pid, SIGKILL)
                let name = spawned.executable.split(separator: "/").last.map(String.init) ?? "child"
                throw TimedOut(description: "\(name) still running after \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(10))
            ended = spawned.poll()
        }
        guard let termination = ended else { throw TimedOut(description: "no termination") }
        while output.withLock({ $0.stdout == nil || $0.stderr == nil }) {
            guard ContinuousClock.now < deadline + .seconds(5) else {
                throw TimedOut(description: "output pipes not closed")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        let (out, err) = output.withLock { ($0.stdout ?? Data(), $0.stderr ?? Data()) }
        return ProcessResult(
            status: termination.status, signalled: termination.signalled,
            stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    /// SIGTERM, as a service manager would send.
    func terminate() { spawned.signal(SIGTERM) }

    /// Sends `signal` while the child runs.
    func signal(_ signal: Int32) { spawned.signal(signal) }

    /// SIGTERM, and the child reaped on a thread of its own once it ends: for defer blocks, which cannot await, and
    /// must not hold one of the cooperative pool's two threads while an exporter shuts down.
    func terminateAndReap() {
        spawned.signal(SIGTERM)
        let spawned = spawned
        Thread.detachNewThread { _ = spawned.waitUntilExit() }
    }

    /// SIGKILL, for cleaning up after a failed test.
    func forceKill() { spawned.signal(SIGKILL) }

    /// The exporter executable of this build: next to the test bundle, in the `debug` (or `release`) directory.
    static let exporterPath: String? = {
        if let override = ProcessInfo.processInfo.environment["GENESYS_EXPORTER_BINARY"] { return override }
        let starts = [
            URL(fileURLWithPath: CommandLine.arguments.first ?? ""), Bundle.main.bundleURL, Bundle.main.executableURL,
        ].compactMap { $0 }
        for start in starts {
            var directory = start.standardizedFileURL
            while directory.path != "/" {
                let candidate = directory.appendingPathComponent("genesys-exporter")
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory),
                    !isDirectory.boolValue,
                    FileManager.default.isExecutableFile(atPath: candidate.path)
                {
                    return candidate.path
                }
                directory.deleteLastPathComponent()
            }
        }
        return nil
    }()
}
