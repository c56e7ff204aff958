import ArgumentParser
import Dispatch
import FoundationEssentials
import GenesysSimulator
import Glibc

/// `genesys-simulator`: run the fake Genesys Cloud until SIGINT/SIGTERM.
@main
struct SimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "genesys-simulator",
        abstract: "A fake Genesys Cloud (login and Platform API on one port) for demos and manual tests."
    )

    @Option(help: "Port to listen on (0 picks a free one); with --orgs N, org i listens on port + i - 1.")
    var port: Int = 0

    @Option(help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Option(help: "Number of routing queues (0...10000).")
    var queues: Int = 40

    @Option(help: "Number of telephony edges (0...100000).")
    var edges: Int = 2

    @Option(help: "Number of telephony trunks (0...100000).")
    var trunks: Int = 4

    @Option(help: "Number of phones (0...100000).")
    var phones: Int = 20

    @Option(help: "Number of Architect flows (0...10000).")
    var flows: Int = 12

    @Option(help: "Number of data actions (0...10000).")
    var actions: Int = 8

    @Option(help: "Number of active users, spread over three divisions (0...100000).")
    var users: Int = 60

    @Option(name: .customLong("token-ttl"), help: "Access token lifetime in seconds.")
    var tokenTTL: Int = 86399

    @Flag(help: "Let waiting/interacting/on-queue counts change every 10 seconds.")
    var moving = false

    @Option(name: .customLong("rate-limit"), help: "Requests per minute per token (default: unlimited).")
    var rateLimit: Int?

    @Option(
        name: .customLong("notification-rate"),
        help: "Observation messages per subscribed queue per second, changed or not (0...100; benchmarks).")
    var notificationRate: Double = 0

    @Option(
        name: .customLong("aggregate-settle-delay"),
        help: "Seconds before a conversation event shows up in the aggregates (late-arriving data, 0...86400).")
    var aggregateSettleDelay: Int = 0

    @Option(
        help: """
            Number of independent simulated orgs (1...1000), each on its own port with client id sim-client-<i>, \
            secret sim-secret-<i> and name "Simulated Org <i>". Prints one line per org: \
            "org <i> <base URL> <client id> <client secret>" (fake test credentials, printed on purpose), then \
            "genesys-simulator: ready".
            """)
    var orgs: Int = 1

    @Option(
        name: .customLong("orgs-file"),
        help: """
            Write a genesys-exporter --config.file for the simulated orgs here (names org-<i>; each secret in \
            <path>.secrets/org-<i>, mode 0600).
            """)
    var orgsFile: String?

    @Option(
        name: .customLong("record-requests"),
        help: """
            Append every API request (method, path, query, User-Agent, body; not token requests) to this file, \
            one JSON object a line (for scripts/sdk-check).
            """)
    var recordRequests: String?

    @Flag(
        name: .customLong("issue-refresh-token"),
        help: """
            Print a refresh token for the simulated user ("  refresh token: <token>"); the refresh_token grant \
            turns it into a user token (one org only).
            """)
    var issueRefreshToken = false

    /// One org with the historical credentials and banner; otherwise the indexed multi-org mode.
    private var multiOrg: Bool { orgs > 1 || orgsFile != nil }

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard (1...1000).contains(orgs) else { throw ValidationError("--orgs must be 1...1000") }
        guard port == 0 || port + orgs - 1 <= 65535 else {
            throw ValidationError("--port + --orgs - 1 must be at most 65535 (org i listens on port + i - 1)")
        }
        if let orgsFile, orgsFile.isEmpty { throw ValidationError("--orgs-file must not be empty") }
        if let recordRequests, recordRequests.isEmpty { throw ValidationError("--record-requests must not be empty") }
        guard !(issueRefreshToken && multiOrg) else {
            throw ValidationError("--issue-refresh-token needs a single org (no --orgs or --orgs-file)")
        }
        guard (0...10_000).contains(queues) else { throw ValidationError("--queues must be 0...10000") }
        for (name, value) in [("edges", edges), ("trunks", trunks), ("phones", phones), ("users", users)] {
            guard (0...100_000).contains(value) else { throw ValidationError("--\(name) must be 0...100000") }
        }
        for (name, value) in [("flows", flows), ("actions", actions)] {
            guard (0...10_000).contains(value) else { throw ValidationError("--\(name) must be 0...10000") }
        }
        guard tokenTTL > 0 else { throw ValidationError("--token-ttl must be positive") }
        guard (0...100).contains(notificationRate) else { throw ValidationError("--notification-rate must be 0...100") }
        guard (0...86_400).contains(aggregateSettleDelay) else {
            throw ValidationError("--aggregate-settle-delay must be 0...86400")
        }
    }

    func run() async throws {
        let recorder = try recordRequests.map(RequestRecorder.init(path:))
        if multiOrg {
            try await runOrgs(recorder: recorder)
            return
        }
        let simulator = GenesysSimulator(configuration: configuration(recorder: recorder))
        try await simulator.start(host: host, port: port)
        let settings = simulator.configuration
        let base = simulator.baseURL
        let refreshToken = issueRefreshToken ? "\n  refresh token: \(simulator.issueRefreshToken())" : ""
        say(
            """
            genesys-simulator listening on \(base) (login and API host)
              client id:     \(settings.clientID)
              client secret: \(settings.clientSecret)
              queues:        \(settings.queueCount)\(moving ? " (moving observations)" : "")\(refreshToken)
            example:
              GENESYS_API_HOST=\(base) GENESYS_LOGIN_HOST=\(base) GENESYS_CLIENT_ID=\(settings.clientID) \
            GENESYS_CLIENT_SECRET=\(settings.clientSecret) genesys-exporter
            """)
        let signal = await Self.waitForTerminationSignal()
        say("genesys-simulator: received signal \(signal), shutting down")
        try await simulator.shutdown()
    }

    /// The settings every org shares, with the credentials and identity given.
    private func configuration(
        clientID: String = "sim-client-id", clientSecret: String = "sim-client-secret",
        orgID: String = "5a1e0c7d-3b9f-4e21-9c4a-6d2f8b7e1a90", orgName: String = "Simulated Contact Center",
        recorder: RequestRecorder?
    ) -> SimulatorConfiguration {
        var configuration = SimulatorConfiguration(
            clientID: clientID,
            clientSecret: clientSecret,
            tokenTTL: .seconds(tokenTTL),
            queueCount: queues,
            edgeCount: edges,
            trunkCount: trunks,
            phoneCount: phones,
            flowCount: flows,
            actionCount: actions,
            userCount: users,
            rateLimitPerMinute: rateLimit,
            movingObservations: moving,
            orgID: orgID,
            orgName: orgName,
            aggregateSettleDelay: .seconds(aggregateSettleDelay)
        )
        if let recorder { configuration.requestObserver = { recorder.record($0) } }
        configuration.notificationLoad = notificationRate
        return configuration
    }

    /// `--orgs N` / `--orgs-file`: N simulators in this process, org i with its own port and credentials.
    private func runOrgs(recorder: RequestRecorder?) async throws {
        var simulators: [GenesysSimulator] = []
        var entries: [SimulatedOrgEntry] = []
        do {
            for index in 1...orgs {
                let simulator = GenesysSimulator(
                    configuration: configuration(
                        clientID: "sim-client-\(index)", clientSecret: "sim-secret-\(index)",
                        orgID: Self.orgID(index), orgName: "Simulated Org \(index)", recorder: recorder))
                let orgPort = port == 0 ? 0 : port + index - 1
                do { try await simulator.start(host: host, port: orgPort) } catch {
                    throw OrgStartError(description: "org \(index): cannot listen on \(host) port \(orgPort): \(error)")
                }
                simulators.append(simulator)
                let settings = simulator.configuration
                entries.append(
                    SimulatedOrgEntry(
                        index: index, baseURL: simulator.baseURL, clientID: settings.clientID,
                        clientSecret: settings.clientSecret))
            }
            say(
                "genesys-simulator: \(orgs) org\(orgs == 1 ? "" : "s"), \(queues) queues each\(moving ? " (moving observations)" : ""); "
                    + "fake test credentials below (org <i> <base URL> <client id> <client secret>)")
            say(
                entries.map { "org \($0.index) \($0.baseURL) \($0.clientID) \($0.clientSecret)" }.joined(
                    separator: "\n"))
            if let orgsFile {
                let written = try OrgsFile.save(entries, to: orgsFile)
                say("orgs file: \(written) (secrets in \(OrgsFile.secretsDirectory(for: orgsFile))/)")
            }
        } catch {
            await Self.shutdown(simulators)
            throw error
        }
        say("genesys-simulator: ready")
        let signal = await Self.waitForTerminationSignal()
        say("genesys-simulator: received signal \(signal), shutting down \(simulators.count) orgs")
        await Self.shutdown(simulators)
    }

    /// A distinct, well-formed org id per index.
    private static func orgID(_ index: Int) -> String {
        let digits = String(index)
        return "00000000-0000-4000-8000-" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits
    }

    /// Shuts every simulator down concurrently.
    private static func shutdown(_ simulators: [GenesysSimulator]) async {
        await withTaskGroup(of: Void.self) { group in
            for simulator in simulators {
                group.addTask { try? await simulator.shutdown() }
            }
        }
    }

    /// Writes a line to standard output unbuffered, so a wrapper script sees it at once.
    private func say(_ text: String) {
        var line = text + "\n"  // one short write(2): a pipe takes it whole
        line.withUTF8 { _ = Glibc.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
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

/// Starting one of the `--orgs` simulators failed (the port is taken, say).
struct OrgStartError: Error, CustomStringConvertible {
    var description: String
}
