import GenesysAuth
/// node_exporter's collector flags, derived from `CollectorRegistry`: `--collector.<name>` and
/// `--no-collector.<name>` turn one on or off, `--collector.disable-defaults` starts from none, and each
/// collector's own `--collector.<name>.<option> VALUE` (or `=VALUE`). ArgumentParser cannot declare flags from a
/// list, so the executable's `ExporterOptions` hands every argument it does not know (`ExporterFlags.collectorArguments`) to `parse`, which refuses anything else.
import GenesysBase
import GenesysCollectors
import GenesysTelemetry

package struct CollectorFlags: Sendable, Equatable {
    package var enabled: Set<String>
    /// Option values by collector name, then option name.
    package var options: [String: [String: String]]

    package static var defaults: CollectorFlags {
        CollectorFlags(enabled: CollectorRegistry.enabledByDefault, options: [:])
    }

    package static func parse(_ arguments: [String]) throws(ConfigurationError) -> CollectorFlags {
        var disableDefaults = false
        var chosen: [(name: String, on: Bool)] = []
        var options: [String: [String: String]] = [:]
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--") else {
                // Never echoed: a stray value may be a secret whose flag was mistyped.
                throw .invalid(
                    setting: "argument \(index)", reason: "unexpected value; flags start with -- (see --help)")
            }
            let (flag, inlineValue) = split(argument)
            if flag == "--collector.disable-defaults", inlineValue == nil {
                disableDefaults = true
            } else if flag.hasPrefix("--no-collector."), inlineValue == nil {
                chosen.append((try collector(String(flag.dropFirst("--no-collector.".count)), flag: flag).name, false))
            } else if flag.hasPrefix("--collector.") {
                let rest = flag.dropFirst("--collector.".count)
                guard let dot = rest.firstIndex(of: ".") else {
                    guard inlineValue == nil else { throw unknown(flag) }
                    chosen.append((try collector(String(rest), flag: flag).name, true))
                    continue
                }
                let definition = try collector(String(rest[..<dot]), flag: flag)
                let optionName = String(rest[rest.index(after: dot)...])
                guard definition.options.contains(where: { $0.name == optionName }) else {
                    let known = definition.options.map { "--collector.\(definition.name).\($0.name)" }
                    throw .invalid(
                        setting: flag,
                        reason: known.isEmpty
                            ? "the \(definition.name) collector has no options"
                            : "unknown option; the \(definition.name) collector has \(known.joined(separator: ", "))")
                }
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else {
                    guard index < arguments.count else { throw .invalid(setting: flag, reason: "needs a value") }
                    value = arguments[index]
                    index += 1
                }
                options[definition.name, default: [:]][optionName] = value
            } else {
                throw unknown(flag)
            }
        }
        var enabled = disableDefaults ? [] : CollectorRegistry.enabledByDefault
        for choice in chosen {
            if choice.on { enabled.insert(choice.name) } else { enabled.remove(choice.name) }
        }
        guard !enabled.isEmpty else {
            throw .invalid(setting: "--no-collector.*", reason: "every collector is disabled; nothing would be polled")
        }
        return CollectorFlags(enabled: enabled, options: options)
    }

    /// The flags' part of `--help`, from the registry (lines short enough not to be wrapped).
    package static var help: String {
        var lines = [
            "COLLECTORS (node_exporter's flags):",
            "  --collector.disable-defaults",
            "        Start with every collector off; turn some on with --collector.<name>.",
        ]
        for collector in CollectorRegistry.all {
            lines.append(
                "  --[no-]collector.\(collector.name) (\(collector.enabledByDefault ? "on" : "off") by default)")
            lines.append("        \(collector.help)")
            for option in collector.options {
                lines.append("  --collector.\(collector.name).\(option.name) <\(option.valueName)>")
                lines.append("        \(option.help)")
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func split(_ argument: String) -> (flag: String, value: String?) {
        guard let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }

    private static func collector(_ name: String, flag: String) throws(ConfigurationError) -> any Collector.Type {
        guard let definition = CollectorRegistry.named(name) else {
            throw .invalid(
                setting: flag,
                reason: "no collector '\(name)'; there are \(CollectorRegistry.names.joined(separator: ", "))")
        }
        return definition
    }

    /// Names the flag only, never a value after `=`, which may be a secret.
    private static func unknown(_ flag: String) -> ConfigurationError {
        .invalid(setting: SafeExcerpt.of(flag, limit: 80), reason: "unknown flag (see --help)")
    }
}
