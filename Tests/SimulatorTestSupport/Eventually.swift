/// Waits until `condition` holds, checking after 20 ms and then less often, up to every 200 ms (hundreds of tests
/// wait at once on two cores); false when `timeout` passes first. The synchronisation tests use instead of fixed
/// sleeps.
package func eventually(timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    var pause = Duration.milliseconds(20)
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: pause)
        pause = min(pause * 1.5, .milliseconds(200))
    }
    return try await condition()
}
