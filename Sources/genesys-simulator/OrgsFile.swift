import FoundationEssentials

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One simulated org as the exporter's multi-org config sees it.
struct SimulatedOrgEntry: Sendable {
    /// 1-based index: the `<i>` in `org-<i>`, `sim-client-<i>`, `sim-secret-<i>`.
    var index: Int
    var baseURL: String
    var clientID: String
    var clientSecret: String

    /// The exporter's `org` label value.
    var name: String { "org-\(index)" }
}

/// An error writing the orgs file or a secret file, with the path and the reason.
struct OrgsFileError: Error, CustomStringConvertible {
    var path: String
    var reason: String

    var description: String { "cannot write \(path): \(reason)" }
}

/// Writes the exporter's `--config.file` for the simulated orgs (issue 13 contract): one entry per org with
/// `api_url`/`login_url` = its base URL, `client_id`, and `client_secret_file` pointing at a file (mode 0600) in
/// the directory `<path>.secrets` (mode 0700) next to it. The YAML file is written to a temporary name and renamed,
/// so a reader never sees half of it.
enum OrgsFile {
    /// The directory the secret files go to.
    static func secretsDirectory(for path: String) -> String { absolute(path) + ".secrets" }

    /// Writes the secret files and then the YAML file; returns the absolute path of the YAML file.
    @discardableResult
    static func save(_ orgs: [SimulatedOrgEntry], to path: String) throws(OrgsFileError) -> String {
        let file = absolute(path)
        let directory = secretsDirectory(for: path)
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw OrgsFileError(path: directory, reason: String(cString: strerror(errno)))
        }
        if chmod(directory, 0o700) != 0 {
            throw OrgsFileError(path: directory, reason: String(cString: strerror(errno)))
        }
        var yaml = """
            # genesys-exporter --config.file written by genesys-simulator: \(orgs.count) simulated org(s), fake credentials.
            orgs:

            """
        for org in orgs {
            let secretPath = directory + "/" + org.name
            try writePrivate(Data(org.clientSecret.utf8), to: secretPath)
            yaml += """
                  - name: \(quoted(org.name))
                    api_url: \(quoted(org.baseURL))
                    login_url: \(quoted(org.baseURL))
                    client_id: \(quoted(org.clientID))
                    client_secret_file: \(quoted(secretPath))

                """
        }
        let temporary = file + ".tmp-\(getpid())"
        try writePrivate(Data(yaml.utf8), to: temporary, mode: 0o644)
        if rename(temporary, file) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw OrgsFileError(path: file, reason: reason)
        }
        return file
    }

    /// A YAML double-quoted scalar.
    static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + String(scalar.value, radix: 16).leftPadded(to: 2)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// `path` made absolute against the current directory (the exporter may run elsewhere).
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return FileManager.default.currentDirectoryPath + "/" + path
    }

    /// Creates or truncates `path` (not following a symlink) with `mode`, also when it existed with another mode.
    private static func writePrivate(_ data: Data, to path: String, mode: mode_t = 0o600) throws(OrgsFileError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw OrgsFileError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        guard fchmod(descriptor, mode) == 0 else {
            throw OrgsFileError(path: path, reason: String(cString: strerror(errno)))
        }
        var written = 0
        while written < data.count {
            let result = data.withUnsafeBytes { bytes in
                write(descriptor, bytes.baseAddress! + written, bytes.count - written)
            }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { throw OrgsFileError(path: path, reason: String(cString: strerror(errno))) }
            written += result
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
