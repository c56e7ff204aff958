import CCurl
import Dispatch
import Glibc
import Synchronization

/// Runs every transfer on one curl multi handle, on a dedicated thread, so no Swift
/// executor or event loop ever blocks on the network. Connections, DNS and TLS sessions are
/// cached on the multi handle and reused across requests. Dropping the driver stops its thread.
final class CurlMultiDriver: Sendable {
    let loop: CurlMultiLoop

    init(maxConnectionsPerHost: Int) {
        loop = CurlMultiLoop(maxConnectionsPerHost: maxConnectionsPerHost)
        let loop = self.loop
        // Holds the loop, not the driver, so the driver's deinit can stop it.
        DetachedThread.start(name: "genesys-curl") { loop.run() }
    }

    deinit { loop.stop(wait: false) }

    /// Hands a transfer to the driver thread; after shutdown it fails at once with `.cancelled`.
    func submit(_ transfer: CurlTransfer) {
        if !loop.submit(transfer) { transfer.fail(.cancelled) }
    }

    /// Aborts a submitted transfer; a no-op once it finished or the driver stopped.
    func cancel(_ transfer: CurlTransfer) { loop.cancel(transfer) }

    /// Stops the thread; transfers still running fail with `.cancelled`. Safe to call more than once.
    func shutdown(wait: Bool = true) { loop.stop(wait: wait) }
}

/// The multi handle and its thread's loop.
// `multi` and `active` are touched only on the driver thread (plus `curl_multi_wakeup`, under the inbox lock while not stopping); `inbox` is behind a lock.
final class CurlMultiLoop: @unchecked Sendable {
    private struct Inbox {
        var added: [CurlTransfer] = []
        var cancelled: [CurlTransfer] = []
        var stopping = false
    }

    private let multi: UnsafeMutableRawPointer
    private let inbox = Mutex(Inbox())
    /// Wakeups admitted under the inbox lock and not yet returned from `curl_multi_wakeup`.
    private let wakeupsInFlight = Atomic<Int>(0)
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private let stopped = DispatchGroup()
    /// The longest sleep of an idle thread: a bound, should a wakeup ever go missing.
    static let idleWaitMillis: Int32 = 60_000

    init(maxConnectionsPerHost: Int) {
        CurlGlobal.initialize()
        multi = curl_multi_init()
        _ = gx_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost)
        _ = gx_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(16, maxConnectionsPerHost * 4))
        stopped.enter()
    }

    // A wakeup is admitted under the inbox lock, and only while `stopping` is false, but made after the lock is
    // released: made under it, the woken thread found the lock still held (the wakeup is a system call) and slept
    // on it again, a futex round trip on every request. The thread leaves its loop only after reading `stopping`
    // under that lock, so no wakeup is admitted afterwards, and it waits for the admitted ones to return before
    // `curl_multi_cleanup`.

    /// False when the loop is stopping: the caller fails the transfer.
    func submit(_ transfer: CurlTransfer) -> Bool {
        let admitted = inbox.withLock { inbox in
            guard !inbox.stopping else { return false }
            inbox.added.append(transfer)
            wakeupsInFlight.add(1, ordering: .relaxed)
            return true
        }
        if admitted { wakeUp() }
        return admitted
    }

    func cancel(_ transfer: CurlTransfer) {
        let admitted = inbox.withLock { inbox in
            guard !inbox.stopping else { return false }  // the thread fails every transfer it still holds as it stops
            inbox.cancelled.append(transfer)
            wakeupsInFlight.add(1, ordering: .relaxed)
            return true
        }
        if admitted { wakeUp() }
    }

    private func wakeUp() {
        curl_multi_wakeup(multi)
        wakeupsInFlight.subtract(1, ordering: .releasing)
    }

    func stop(wait: Bool) {
        let admitted = inbox.withLock { inbox in
            guard !inbox.stopping else { return false }
            inbox.stopping = true
            wakeupsInFlight.add(1, ordering: .relaxed)
            return true
        }
        if admitted { wakeUp() }
        if wait { stopped.wait() }
    }

    /// Returns once the thread finished and the multi handle is gone, without blocking a thread meanwhile.
    func stoppedNotification() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            stopped.notify(queue: .global()) { continuation.resume() }
        }
    }

    /// Whether the thread finished and the multi handle is gone within `timeout` (whole seconds; for tests).
    func waitUntilStopped(timeout: Duration) -> Bool {
        stopped.wait(timeout: .now() + .milliseconds(Int(timeout.components.seconds) * 1000)) == .success
    }

    func run() {
        while true {
            let (added, cancelled, stopping) = inbox.withLock { inbox in
                defer {
                    inbox.added.removeAll()
                    inbox.cancelled.removeAll()
                }
                return (inbox.added, inbox.cancelled, inbox.stopping)
            }
            for transfer in added {
                if transfer.isCancelRequested || stopping {
                    transfer.fail(.cancelled)
                } else if curl_multi_add_handle(multi, transfer.easy) == CURLM_OK {
                    active[transfer.easy] = transfer
                } else {
                    transfer.fail(.invalidRequest("curl_multi_add_handle failed"))
                }
            }
            for transfer in cancelled where active.removeValue(forKey: transfer.easy) != nil {
                curl_multi_remove_handle(multi, transfer.easy)
                transfer.fail(.cancelled)
            }
            if stopping { break }

            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                let code = gx_multi_message_result(message)  // read before the handle is removed
                curl_multi_remove_handle(multi, easy)
                active.removeValue(forKey: easy)?.complete(code: code)
            }
            // Idle, every change arrives with a wakeup, so the thread sleeps long: at 1 s, 200 orgs' idle threads
            // were 8% of a streaming fleet's CPU. With transfers, libcurl shortens the wait to its own timers.
            curl_multi_poll(multi, nil, 0, active.isEmpty ? Self.idleWaitMillis : 1000, nil)
        }
        for transfer in active.values {
            curl_multi_remove_handle(multi, transfer.easy)
            transfer.fail(.cancelled)
        }
        active.removeAll()
        // `stopping` was read under the lock, so no wakeup is admitted any more; the admitted ones take microseconds.
        while wakeupsInFlight.load(ordering: .acquiring) > 0 { sched_yield() }
        curl_multi_cleanup(multi)
        stopped.leave()
    }
}
