import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A child started with `posix_spawn`, for the tests' children (the exporter, promtool, git, zic).
///
/// Not Foundation's `Process`: on Linux its `run()` copies each `/proc/self/fd` entry's whole 256-byte `d_name`,
/// reading past glibc's directory buffer, and a parallel run with some 1,350 descriptors open crashed in that copy
/// (a bad pointer dereference at a page boundary in `memmove`). Here the child closes every descriptor above stderr
/// itself (`posix_spawn_file_actions_addclosefrom_np`), so nothing of the parent leaks into it.
package final class SpawnedProcess: Sendable {
    package struct Failed: Error, CustomStringConvertible {
        package let description: String
    }

    /// How the child ended: its exit status, or the signal that ended it.
    package struct Termination: Sendable, Equatable {
        package let status: Int32
        package let signalled: Bool

        package init(status: Int32, signalled: Bool) {
            self.status = status
            self.signalled = signalled
        }

        package static let success = Termination(status: 0, signalled: false)
    }

    package let pid: pid_t
    package let executable: String
    private let termination = Mutex<Termination?>(nil)

    /// Starts `executable` with exactly `environment`, in `directory`, in its own process group (a ^C at the terminal
    /// stops the test run, not its children twice). `stdin`, `stdout`, `stderr` are descriptors the child gets as 0,
    /// 1, 2; nil gives it /dev/null.
    package init(
        _ executable: String, _ arguments: [String], environment: [String: String], directory: String? = nil,
        stdin: Int32? = nil, stdout: Int32? = nil, stderr: Int32? = nil
    ) throws {
        self.executable = executable
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (source, target) in [(stdin, Int32(0)), (stdout, 1), (stderr, 2)] {
            let result =
                if let source {
                    posix_spawn_file_actions_adddup2(&actions, source, target)
                } else {
                    posix_spawn_file_actions_addopen(
                        &actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
                }
            guard result == 0 else { throw Failed(description: "posix_spawn file action: \(Self.describe(result))") }
        }
        if let directory {
            try Self.call(SpawnExtensions.addChdir, "addchdir_np") { $0(&actions, directory) }
        }
        try Self.call(SpawnExtensions.addCloseFrom, "addclosefrom_np") { $0(&actions, 3) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv + envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw Failed(description: "cannot start \(executable): \(Self.describe(result))")
        }
        self.pid = pid
    }

    /// The termination once the child has ended (reaping it), nil while it runs.
    package func poll() -> Termination? {
        termination.withLock { termination in
            if let termination { return termination }
            var status: Int32 = 0
            var reaped: pid_t
            repeat { reaped = waitpid(pid, &status, WNOHANG) } while reaped == -1 && errno == EINTR
            guard reaped == pid else { return nil }
            let signal = status & 0x7f
            termination =
                signal == 0
                ? Termination(status: (status >> 8) & 0xff, signalled: false)
                : Termination(status: signal, signalled: true)
            return termination
        }
    }

    package var isRunning: Bool { poll() == nil }

    /// Waits for the end, polling every 5 ms without holding a thread of the cooperative pool.
    package func exit() async -> Termination {
        while true {
            if let termination = poll() { return termination }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Blocks until the end: for synchronous call sites (defer blocks).
    package func waitUntilExit() -> Termination {
        while true {
            if let termination = poll() { return termination }
            usleep(5_000)
        }
    }

    package func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    private static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }

    private static func call<Function>(_ function: Function?, _ name: String, _ body: (Function) -> Int32) throws {
        guard let function else {
            throw Failed(description: "posix_spawn_file_actions_\(name) is missing (glibc 2.34 or later has it)")
        }
        let result = body(function)
        guard result == 0 else { throw Failed(description: "posix_spawn_file_actions_\(name): \(describe(result))") }
    }
}

/// glibc's spawn extensions, which its headers declare only under _GNU_SOURCE (so Swift's Glibc module lacks them).
private enum SpawnExtensions {
    typealias AddChdir =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) ->
        Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    static let addChdir: AddChdir? = dlsym(nil, "posix_spawn_file_actions_addchdir_np").map {
        unsafeBitCast($0, to: AddChdir.self)
    }
    static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map {
        unsafeBitCast($0, to: AddCloseFrom.self)
    }
}

/// A pipe for a child's 0, 1 or 2. Every child spawned here closes all other descriptors itself; close-on-exec is set
/// as well (after `pipe`: Swift's Glibc lacks `pipe2`) for anything else that might exec.
package struct ClosingPipe: Sendable {
    package let reading: Int32
    package let writing: Int32

    package init() throws {
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else {
            throw SpawnedProcess.Failed(description: "pipe: \(String(cString: strerror(errno)))")
        }
        for descriptor in descriptors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        reading = descriptors[0]
        writing = descriptors[1]
    }
}
