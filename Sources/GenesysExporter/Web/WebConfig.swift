/// The contents of a `--web.config.file` in Prometheus exporter-toolkit's format, validated. File paths are
/// already resolved against the file's directory, as exporter-toolkit does.
public struct WebConfig: Sendable, Equatable {
    public var tls: TLSSettings?
    /// user → bcrypt hash (`$2a$`, `$2b$` or `$2y$`).
    public var basicAuthUsers: [String: String]
    /// Security headers added to every answer, in file order.
    public var headers: [HTTPHeaderSetting]

    public init(tls: TLSSettings? = nil, basicAuthUsers: [String: String] = [:], headers: [HTTPHeaderSetting] = []) {
        self.tls = tls
        self.basicAuthUsers = basicAuthUsers
        self.headers = headers
    }

    public struct HTTPHeaderSetting: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    /// `tls_server_config`.
    public struct TLSSettings: Sendable, Equatable {
        public enum Source: Sendable, Equatable {
            case file(String)
            /// PEM text given inline (`cert`, `key`, `client_ca`).
            case inline(String)
        }

        public var certificate: Source
        public var privateKey: Source
        public var clientCAs: Source?
        public var clientAuth: ClientAuth
        public var minVersion: TLSVersionName
        public var maxVersion: TLSVersionName

        /// The files this configuration reads: a change to any of them means a reload.
        public var referencedFiles: [String] {
            [certificate, privateKey, clientCAs].compactMap { source in
                if case .file(let path) = source { return path }
                return nil
            }
        }
    }

    /// exporter-toolkit's `client_auth_type` values (Go's `tls.ClientAuthType`).
    public enum ClientAuth: String, Sendable, CaseIterable {
        case noClientCert = "NoClientCert"
        case requestClientCert = "RequestClientCert"
        case requireAnyClientCert = "RequireAnyClientCert"
        case verifyClientCertIfGiven = "VerifyClientCertIfGiven"
        case requireAndVerifyClientCert = "RequireAndVerifyClientCert"

        /// Whether the client's certificate is checked against `client_ca_file`.
        var verifiesAgainstClientCAs: Bool { self == .verifyClientCertIfGiven || self == .requireAndVerifyClientCert }
    }

    /// `min_version` / `max_version` values.
    public enum TLSVersionName: String, Sendable, CaseIterable, Comparable {
        case tls10 = "TLS10"
        case tls11 = "TLS11"
        case tls12 = "TLS12"
        case tls13 = "TLS13"

        public static func < (lhs: Self, rhs: Self) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }
}
