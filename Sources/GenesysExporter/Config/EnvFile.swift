import GenesysAPI
import GenesysAuth
/// Parses a `.env` file: `KEY=VALUE` lines, `export` prefixes, `#` comments, single or double quotes.
import GenesysBase
import GenesysHTTP

package enum EnvFile {
    package static func parse(_ text: String, path: String = ".env") throws(ConfigurationError) -> [String: String] {
        var values: [String: String] = [:]
        // Not split(separator: "\n"): a CRLF line end is one Character ("\r\n") and would never match "\n".
        for (number, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated()
        {
            var line = String(rawLine).trimming(" \t\r")
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimming(" \t") }
            guard let equals = line.firstIndex(of: "=") else {
                throw .invalid(setting: "\(path) line \(number + 1)", reason: "expected KEY=VALUE")
            }
            let key = String(line[..<equals]).trimming(" \t")
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw .invalid(setting: "\(path) line \(number + 1)", reason: "'\(key)' is not a variable name")
            }
            values[key] = try value(
                String(line[line.index(after: equals)...]).trimming(" \t"), at: "\(path) line \(number + 1)")
        }
        return values
    }

    private static func value(_ raw: String, at location: String) throws(ConfigurationError) -> String {
        guard let quote = raw.first, quote == "\"" || quote == "'" else {
            // Unquoted: a " #" starts a comment.
            if let comment = raw.firstRange(of: " #") { return String(raw[..<comment.lowerBound]).trimming(" \t") }
            return raw
        }
        var result = ""
        var escaped = false
        for character in raw.dropFirst() {
            if escaped {
                switch character {
                case "n": result.append("\n")
                case "t": result.append("\t")
                default: result.append(character)
                }
                escaped = false
            } else if character == "\\" && quote == "\"" {
                escaped = true
            } else if character == quote {
                return result
            } else {
                result.append(character)
            }
        }
        throw .invalid(setting: location, reason: "unterminated \(quote) quote")
    }
}
