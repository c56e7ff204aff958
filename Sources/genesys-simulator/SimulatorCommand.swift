import ArgumentParser
import Dispatch
import Foundation
import GenesysSimulator

/// `genesys-simulator`: run the fake Genesys Cloud until SIGINT/SIGTERM.
@main
struct SimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "genesys-simulator",
        abstract: "A fake Genesys Cloud (login and Platform API on one port) for demos and manual tests."
    )

    @Option(help: "Port to listen on (0 picks a free one).")
    var port: Int = 0

    @Option(help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Option(help: "Number of routing queues (0...10000).")
    var queues: Int = 40

    @Option(name: .customLong("token-ttl"), help: "Access token lifetime in seconds.")
    var tokenTTL: Int = 86399

    @Flag(help: "Let waiting/interacting/on-queue counts change every 10 seconds.")
    var moving = false

    @Option(name: .customLong("rate-limit"), help: "Requests per minute per token (default: unlimited).")
    var rateLimit: Int?

    @Option(
        name: .customLong("aggregate-settle-delay"),
        help: "Seconds before a conversation event shows up in the aggregates (late-arriving data, 0...86400).")
    var aggregateSettleDelay: Int = 0

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard (0...10_000).contains(queues) else { throw ValidationError("--queues must be 0...10000") }
        guard tokenTTL > 0 else { throw ValidationError("--token-ttl must be positive") }
        guard (0...86_400).contains(aggregateSettleDelay) else {
            throw ValidationError("--aggregate-settle-delay must be 0...86400")
        }
    }

    func run() async throws {
        let simulator = GenesysSimulator(
            configuration: SimulatorConfiguration(
                tokenTTL: .seconds(tokenTTL),
                queueCount: queues,
                rateLimitPerMinute: rateLimit,
                movingObservations: moving,
                aggregateSettleDelay: .seconds(aggregateSettleDelay)
            ))
        try await simulator.start(host: host, port: port)
        let settings = simulator.configuration
        let base = simulator.baseURL
        say(
            """
            genesys-simulator listening on \(base) (login and API host)
              client id:     \(settings.clientID)
              client secret: \(settings.clientSecret)
              queues:        \(settings.queueCount)\(moving ? " (moving observations)" : "")
            example:
              GENESYS_API_HOST=\(base) GENESYS_LOGIN_HOST=\(base) GENESYS_CLIENT_ID=\(settings.clientID) \
            GENESYS_CLIENT_SECRET=\(settings.clientSecret) genesys-exporter
            """)
        let signal = await Self.waitForTerminationSignal()
        say("genesys-simulator: received signal \(signal), shutting down")
        try await simulator.shutdown()
    }

    /// Writes a line to standard output unbuffered, so a wrapper script sees it at once.
    private func say(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Waits for SIGINT or SIGTERM and returns its number.
    private static func waitForTerminationSignal() async -> Int32 {
        let (signals, continuation) = AsyncStream.makeStream(of: Int32.self)
        let sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        for await number in signals {
            return number
        }
        return SIGTERM
    }
}
