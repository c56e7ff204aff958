import CCurl
import Dispatch
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
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private let stopped = DispatchGroup()

    init(maxConnectionsPerHost: Int) {
        CurlGlobal.initialize()
        multi = curl_multi_init()
        _ = gx_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost)
        _ = gx_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(16, maxConnectionsPerHost * 4))
        stopped.enter()
    }

    // Every wakeup runs under the inbox lock and only while `stopping` is false (or in the same critical
    // section that sets it). The thread leaves its loop only after reading `stopping` under that lock, so
    // no wakeup can reach the multi handle after `curl_multi_cleanup`.

    /// False when the loop is stopping: the caller fails the transfer.
    func submit(_ transfer: CurlTransfer) -> Bool {
        inbox.withLock { inbox in
            guard !inbox.stopping else { return false }
            inbox.added.append(transfer)
            curl_multi_wakeup(multi)
            return true
        }
    }

    func cancel(_ transfer: CurlTransfer) {
        inbox.withLock { inbox in
            guard !inbox.stopping else { return }  // the thread fails every transfer it still holds as it stops
            inbox.cancelled.append(transfer)
            curl_multi_wakeup(multi)
        }
    }

    func stop(wait: Bool) {
        inbox.withLock { inbox in
            guard !inbox.stopping else { return }
            inbox.stopping = true
            curl_multi_wakeup(multi)
        }
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
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        for transfer in active.values {
            curl_multi_remove_handle(multi, transfer.easy)
            transfer.fail(.cancelled)
        }
        active.removeAll()
        curl_multi_cleanup(multi)
        stopped.leave()
    }
}
