import CCurl
import Foundation
import NIOConcurrencyHelpers

/// Runs every transfer on one curl multi handle, on a dedicated thread, so no Swift
/// executor or event loop ever blocks on the network. Connections, DNS and TLS sessions are
/// cached on the multi handle and reused across requests.
final class CurlMultiDriver: @unchecked Sendable {  // `multi` and `active` are touched only on the driver thread; `inbox` is behind a lock.
    private struct Inbox {
        var added: [CurlTransfer] = []
        var cancelled: [CurlTransfer] = []
        var stopping = false
    }

    private let multi: UnsafeMutableRawPointer
    private let inbox = NIOLockedValueBox(Inbox())
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private let stopped = DispatchSemaphore(value: 0)

    init(maxConnectionsPerHost: Int) {
        CurlGlobal.initialize()
        multi = curl_multi_init()
        _ = gx_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost)
        _ = gx_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(16, maxConnectionsPerHost * 4))
        let thread = Thread { [self] in run() }
        thread.name = "genesys-curl"
        thread.start()
    }

    func submit(_ transfer: CurlTransfer) {
        let accepted = inbox.withLockedValue { inbox in
            guard !inbox.stopping else { return false }
            inbox.added.append(transfer)
            return true
        }
        guard accepted else {
            transfer.fail(.cancelled)
            return
        }
        curl_multi_wakeup(multi)
    }

    func cancel(_ transfer: CurlTransfer) {
        inbox.withLockedValue { $0.cancelled.append(transfer) }
        curl_multi_wakeup(multi)
    }

    /// Stops the thread; transfers still running fail with `.cancelled`.
    func shutdown(wait: Bool = true) {
        let first = inbox.withLockedValue { inbox in
            defer { inbox.stopping = true }
            return !inbox.stopping
        }
        guard first else { return }
        curl_multi_wakeup(multi)
        if wait { stopped.wait() }
    }

    private func run() {
        while true {
            let (added, cancelled, stopping) = inbox.withLockedValue { inbox in
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
        stopped.signal()
    }
}
