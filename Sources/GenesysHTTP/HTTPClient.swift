/// An async HTTP client over libcurl. Many requests may be in flight at once; cancelling the
/// calling task aborts its transfer.
package final class HTTPClient: Sendable {
    package let configuration: HTTPClientConfiguration
    private let driver: CurlMultiDriver
    private let handles: CurlEasyHandles

    package init(configuration: HTTPClientConfiguration = HTTPClientConfiguration()) {
        self.configuration = configuration
        self.driver = CurlMultiDriver(maxConnectionsPerHost: configuration.maxConnectionsPerHost)
        // Two idle handles, not one per connection: a kept handle is about 5 KB (eight per org were 8 MiB over 200
        // orgs), and a listing's pages, one after another, reuse one.
        self.handles = CurlEasyHandles(capacity: min(2, configuration.maxConnectionsPerHost))
    }

    deinit { driver.shutdown(wait: false) }

    /// Stops the transfer thread; requests still running fail with `.cancelled`.
    package func shutdown() { driver.shutdown() }

    /// The same for async code: waits for the transfer thread without blocking a thread of the cooperative pool.
    package func close() async {
        driver.shutdown(wait: false)
        await driver.loop.stoppedNotification()
    }

    package func send(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
        let transfer = try CurlTransfer(request: request, configuration: configuration, handles: handles)
        let driver = self.driver
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    // set before submit: from then on only the driver thread touches it
                    transfer.continuation = continuation
                    driver.submit(transfer)
                }
            } onCancel: {
                transfer.requestCancel()
                driver.cancel(transfer)
            }
        } catch let error as HTTPClientError {
            throw error
        } catch {
            throw .transport(code: -1, message: "\(error)")
        }
    }
}
