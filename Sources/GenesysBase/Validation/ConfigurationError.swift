/// A configuration problem, naming the flag or variable and what is wrong. The exporter exits 2 on it.
package enum ConfigurationError: Error, Equatable, CustomStringConvertible, Sendable {
    case missing(setting: String, hint: String)
    case invalid(setting: String, reason: String)
    case unreadableFile(path: String, setting: String, reason: String)

    /// Always one line: a value quoted in it (a region, a path, a YAML string) may hold line breaks or other
    /// control characters, which are shown as `\u{…}` instead of breaking the line or forging a log line.
    package var description: String {
        let text =
            switch self {
            case .missing(let setting, let hint): "\(setting) is required: \(hint)"
            case .invalid(let setting, let reason): "\(setting): \(reason)"
            case .unreadableFile(let path, let setting, let reason): "\(setting): cannot read \(path): \(reason)"
            }
        var line = ""
        for scalar in text.unicodeScalars {
            let breaksTheLine =
                scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028
                || scalar.value == 0x2029
            line += breaksTheLine ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
        }
        return line
    }
}
