import FoundationEssentials
import GenesysBase
import GenesysJSON
import Glibc
import Logging
import Synchronization

/// The output formats of `--log.format`.
package enum LogFormat: String, Sendable, CaseIterable {
    case logfmt, json
}

/// Writes one line per event to stderr, as logfmt (`ts=… level=info msg="…" key=value`) or JSON,
/// the formats Prometheus exporters use.
package struct LineLogHandler: LogHandler {
    package var logLevel: Logger.Level
    package var metadata: Logger.Metadata = [:]
    private let label: String
    private let format: LogFormat
    private static let lock = Mutex(())

    package init(label: String, level: Logger.Level, format: LogFormat) {
        self.label = label
        self.logLevel = level
        self.format = format
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        let timestamp = Date().formatted(
            .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
        var fields: [(String, String)] = [
            ("ts", timestamp), ("level", Self.levelName(event.level)), ("caller", label), ("msg", "\(event.message)"),
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for key in merged.keys.sorted() { fields.append((key, "\(merged[key]!)")) }
        let line = format == .json ? Self.json(fields) : Self.logfmt(fields)
        Self.lock.withLock { _ in StandardStreams.writeError(line + "\n") }
    }

    static func levelName(_ level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: "debug"
        case .info, .notice: "info"
        case .warning: "warn"
        case .error, .critical: "error"
        }
    }

    package static func logfmt(_ fields: [(String, String)]) -> String {
        fields.map { key, value in "\(logfmtKey(key))=\(logfmtValue(value))" }.joined(separator: " ")
    }

    /// Quoted when needed. Every control character, DEL, C1 control, U+2028/U+2029 and bidi override is
    /// escaped, so text from the API can neither start a forged line nor send escapes to a terminal.
    static func logfmtValue(_ value: String) -> String {
        var escaped = ""
        var needsQuotes = value.isEmpty
        for scalar in value.unicodeScalars {
            if let escape = scalar.quotedStringEscape {
                escaped += escape
                needsQuotes = true
            } else {
                if scalar == " " || scalar == "=" { needsQuotes = true }
                escaped.unicodeScalars.append(scalar)
            }
        }
        return needsQuotes ? "\"\(escaped)\"" : escaped
    }

    /// Keys come from code, but one with a space, `=`, a quote or a control character would still break the line.
    static func logfmtKey(_ key: String) -> String {
        guard !key.isEmpty else { return "_" }
        var safe = String.UnicodeScalarView()
        for scalar in key.unicodeScalars {
            let breaksLine =
                scalar == " " || scalar == "=" || scalar == "\"" || scalar == "\\" || scalar.isControlOrInvisibleLayout
            safe.append(breaksLine ? "_" : scalar)
        }
        return String(safe)
    }

    /// `JSONText.quoted` escapes the same characters as logfmt does.
    package static func json(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\(JSONText.quoted($0.0)):\(JSONText.quoted($0.1))" }.joined(separator: ",") + "}"
    }

    /// Parses `--log.level` (debug, info, warn, error).
    package static func level(named name: String) -> Logger.Level? {
        switch name.lowercased() {
        case "debug": .debug
        case "info": .info
        case "warn", "warning": .warning
        case "error": .error
        default: nil
        }
    }
}
