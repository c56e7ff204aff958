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
/// blocks on a full pipe. `Process` is only used through its thread-safe calls (run, isRunning, terminate).
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    private let stdout = Pipe()
    private let stderr = Pipe()
    private let output = Mutex<(stdout: Data?, stderr: Data?)>((nil, nil))

    /// Starts `path` with exactly `environment` (nothing is inherited but PATH, HOME and sanitizer options) in a scratch directory.
    init(_ path: String, _ arguments: [String], environment: [String: String] = [:], stdin: [UInt8] = []) throws {
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var inherited: [String: String] = [:]
        // Sanitizer settings pass through, so a sanitized test run configures its sanitized children alike.
        for name in ["PATH", "HOME", "ASAN_OPTIONS", "TSAN_OPTIONS", "LSAN_OPTIONS"] {
            inherited[name] = ProcessInfo.processInfo.environment[name]
        }
        process.environment = inherited.merging(environment) { _, mine in mine }
        // Not the package directory: the exporter reads ./.env when present.
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        process.standardOutput = stdout
        process.standardError = stderr
        let input = Pipe()
        process.standardInput = input
        try ProcessLaunch.run(process)
        let writer = input.fileHandleForWriting
        Thread.detachNewThread {
            try? writer.write(contentsOf: stdin)
            try? writer.close()
        }
        let stdoutReader = stdout.fileHandleForReading, stderrReader = stderr.fileHandleForReading
        Thread.detachNewThread { [self] in
            let data = readToEnd(stdoutReader)
            output.withLock { $0.stdout = data }
        }
        Thread.detachNewThread { [self] in
            let data = readToEnd(stderrReader)
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
        while process.isRunning {
            if ContinuousClock.now >= deadline {
                kill(process.processIdentifier, SIGKILL)
                throw TimedOut(
                    description: "\(process.executableURL?.lastPathComponent ?? "child") still running after \(timeout)"
                )
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        while output.withLock({ $0.stdout == nil || $0.stderr == nil }) {
            guard ContinuousClock.now < deadline + .seconds(5) else {
                throw TimedOut(description: "output pipes not closed")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        let (out, err) = output.withLock { ($0.stdout ?? Data(), $0.stderr ?? Data()) }
        return ProcessResult(
            status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
            stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    /// SIGTERM, as a service manager would send.
    func terminate() { process.terminate() }

    /// SIGKILL, for cleaning up after a failed test.
    func forceKill() { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

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
