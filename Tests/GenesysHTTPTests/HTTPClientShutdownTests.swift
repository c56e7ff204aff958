import Foundation
import GenesysSimulator
import SimulatorTestSupport
import Testing

@testable import GenesysHTTP

/// Stopping the libcurl driver while requests come and go: no use of the multi handle after cleanup,
/// every request answered, nothing left running.
@Suite("HTTP client shutdown")
struct HTTPClientShutdownTests {
    /// An answer or a typed error: anything but a crash or a hang is acceptable while shutting down.
    private static func send(_ client: HTTPClient, _ url: String) async -> Bool {
        do {
            _ = try await client.send(HTTPRequest(url: url, timeout: .seconds(5)))
            return true
        } catch {
            return false
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func test_concurrentSendsAndCancels_racingShutdown_neverCrashOrHang() async throws {
        try await withSimulator { sim in
            let url = sim.baseURL + "/api/v2/organizations/me"
            var answered = 0
            for iteration in 0..<200 {
                let client = HTTPClient()
                answered += await withTaskGroup(of: Int.self) { group in
                    for index in 0..<6 {
                        group.addTask {
                            // Some cancel themselves so `cancel` races the shutdown too.
                            let request = Task { await Self.send(client, url) }
                            if index.isMultiple(of: 3) { request.cancel() }
                            return await request.value ? 1 : 0
                        }
                    }
                    group.addTask {
                        // Every other round shuts down once a request got through, so transfers are in flight.
                        let answer = iteration.isMultiple(of: 2) ? await Self.send(client, url) : false
                        client.shutdown()
                        return answer ? 1 : 0
                    }
                    group.addTask { await Self.send(client, url) ? 1 : 0 }  // may arrive after the shutdown
                    return await group.reduce(0, +)
                }
                client.shutdown()  // a second shutdown is harmless
            }
            #expect(answered >= 100)  // the race really had requests on the wire
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func test_sendAfterShutdown_failsAtOnceWithCancelled() async {
        let client = HTTPClient()
        client.shutdown()
        let error = await #expect(throws: HTTPClientError.self) {
            _ = try await client.send(HTTPRequest(url: "http://127.0.0.1:9/never"))
        }
        guard case .cancelled = error else {
            Issue.record("expected cancelled, got \(String(describing: error))"); return
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func test_cancellingAHungRequestAfterShutdown_returnsPromptly() async throws {
        try await withSimulator { sim in
            sim.inject(.hang, path: "/api/v2/organizations/me")
            let client = HTTPClient()
            let request = Task { await Self.send(client, sim.baseURL + "/api/v2/organizations/me") }
            #expect(await eventually { sim.counters().apiRequests(path: "/api/v2/organizations/me") > 0 })
            client.shutdown()  // fails the hung transfer with .cancelled
            request.cancel()  // reaches the stopped driver's cancel
            #expect(await request.value == false)
        }
    }

    @Test func test_cancelAndSubmit_onAStoppedDriver_areSafe() throws {
        let driver = CurlMultiDriver(maxConnectionsPerHost: 2)
        let transfer = try CurlTransfer(
            request: HTTPRequest(url: "http://127.0.0.1:9/never"), configuration: HTTPClientConfiguration())
        driver.shutdown()
        driver.cancel(transfer)
        driver.submit(transfer)
        driver.cancel(transfer)
        driver.shutdown()
    }

    @Test func test_droppedDriver_stopsItsThread() {
        var driver: CurlMultiDriver? = CurlMultiDriver(maxConnectionsPerHost: 2)
        let loop = driver!.loop
        driver = nil
        #expect(loop.waitUntilStopped(timeout: .seconds(30)))
    }
}
