import GenesysSimulator

/// Runs `body` with a freshly started simulator on a free loopback port and shuts it down after.
package func withSimulator<T>(
    _ configuration: SimulatorConfiguration = SimulatorConfiguration(), _ body: (GenesysSimulator) async throws -> T
) async throws -> T {
    try await GenesysSimulator.withRunning(configuration, body)
}
