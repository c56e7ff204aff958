import ArgumentParser
import GenesysBase
import GenesysExporter
import Glibc

@main
struct GenesysExporterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "genesys-exporter",
        abstract: "Prometheus exporter for Genesys Cloud: token health, API health and routing queues.",
        version: "genesys-exporter \(BuildInfo.summary)",
        subcommands: [RunCommand.self, CheckCommand.self],
        defaultSubcommand: RunCommand.self)

    /// Configuration and usage errors exit with status 2 and one line naming the setting.
    static func main() async {
        MallocArenas.capAtStartup()
        // Before any secret is read: no core file and no same-user debugger can see it.
        if let failure = CoreDumps.disable() {
            StandardStreams.writeError("genesys-exporter: warning: core dumps stay possible: \(failure)\n")
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ConfigurationError {
            StandardStreams.writeError("genesys-exporter: configuration error: \(error)\n")
            Glibc.exit(2)
        } catch let code as ExitCode {
            Glibc.exit(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                print(message)
                Glibc.exit(0)
            }
            // ArgumentParser appends usage lines; keep its first line so the error stays one line, as for configuration errors.
            let firstLine = message.split(whereSeparator: \.isNewline).first.map(String.init) ?? message
            StandardStreams.writeError("genesys-exporter: \(firstLine) (see genesys-exporter --help)\n")
            Glibc.exit(2)
        }
    }
}
