import Foundation
import GenesysExporter

/// docs/flags.md from the command line itself: ArgumentParser's `--experimental-dump-help` for each subcommand, and
/// the collector flags from `CollectorRegistry` (ArgumentParser cannot declare flags from a list).
enum FlagReference {
    struct Malformed: Error, CustomStringConvertible { let description: String }

    static func document(_ sections: [String]) -> String {
        var text = """
            # Flag reference

            Generated from the code by `scripts/update-references` (a test fails when this file is stale). Every flag
            can also come from the environment or a `.env` file where its help names a variable; see
            [configuration](configuration.md) for the order in which they apply.

            """
        text += sections.joined(separator: "\n")
        text += "\n## Collector flags (`run` and `check`)\n\n"
        text += "`--collector.<name>` turns a collector on, `--no-collector.<name>` off, `--collector.disable-defaults`"
        text += " starts from none. Each collector's options are `--collector.<name>.<option> VALUE` (or `=VALUE`).\n\n"
        text += "| collector | default | what it polls | options |\n|---|---|---|---|\n"
        for collector in CollectorRegistry.all {
            let options = collector.options.map {
                "`--collector.\(collector.name).\($0.name) <\($0.valueName)>`: \($0.help)"
            }
            text += "| `\(collector.name)` | \(collector.enabledByDefault ? "on" : "off") | \(collector.help) | "
            text += (options.isEmpty ? "—" : options.joined(separator: "<br>")) + " |\n"
        }
        return text
    }

    /// One subcommand's flags as a table, from ArgumentParser's JSON (ToolInfoV0).
    static func section(dumpedHelp: String) throws -> String {
        guard let root = try JSONSerialization.jsonObject(with: Data(dumpedHelp.utf8)) as? [String: Any],
            let command = root["command"] as? [String: Any], let name = command["commandName"] as? String
        else { throw Malformed(description: "not ArgumentParser's dump-help JSON") }
        var text = "## `genesys-exporter \(name)`\n\n"
        if let abstract = command["abstract"] as? String { text += abstract + "\n\n" }
        text += "| flag | value | help |\n|---|---|---|\n"
        for argument in command["arguments"] as? [[String: Any]] ?? [] {
            guard argument["shouldDisplay"] as? Bool ?? true else { continue }
            let names = (argument["names"] as? [[String: Any]] ?? []).compactMap { name -> String? in
                guard let value = name["name"] as? String else { return nil }
                return (name["kind"] as? String) == "short" ? "-\(value)" : "--\(value)"
            }
            guard !names.isEmpty, !names.contains("--help") else { continue }
            let value =
                (argument["kind"] as? String) == "flag" ? "" : "`<\(argument["valueName"] as? String ?? "value")>`"
            var help = (argument["abstract"] as? String ?? "").replacing("|", with: "\\|")
            if let repeating = argument["isRepeating"] as? Bool, repeating, !value.isEmpty { help += " Repeatable." }
            text += "| \(names.map { "`\($0)`" }.joined(separator: ", ")) | \(value) | \(help) |\n"
        }
        return text
    }
}
