import Foundation
import Synchronization

/// Starts child processes one at a time across the whole test run: swift-corelibs-foundation's `Process.run()` is
/// not safe to call from several threads at once (a parallel run crashed in its memmove while two suites spawned
/// openssl and the exporter), and every test target shares one process.
package enum ProcessLaunch {
    private static let lock = Mutex<Void>(())

    package static func run(_ process: Process) throws {
        try lock.withLock { _ in try process.run() }
    }
}
