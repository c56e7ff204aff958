/// A configuration problem, naming the flag or variable and what is wrong. The exporter exits 2 on it.
package enum ConfigurationError: Error, Equatable, CustomStringConvertible, Sendable {
    case missing(setting: String, hint: String)
    case invalid(setting: String, reason: String)
    case unreadableFile(path: String, setting: String, reason: String)

    package var description: String {
        switch self {
        case .missing(let setting, let hint): "\(setting) is required: \(hint)"
        case .invalid(let setting, let reason): "\(setting): \(reason)"
        case .unreadableFile(let path, let setting, let reason): "\(setting): cannot read \(path): \(reason)"
        }
    }
}
