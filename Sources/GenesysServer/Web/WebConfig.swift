/// The contents of a `--web.config.file` in Prometheus exporter-toolkit's format, validated. File paths are
/// already resolved against the file's directory, as exporter-toolkit does.
package struct WebConfig: Sendable, Equatable {
    package var tls: TLSSettings?
    /// user → bcrypt hash (`$2a$`, `$2b$` or `$2y$`).
    package var basicAuthUsers: [String: String]
    /// Security headers added to every answer, in file order.
    package var headers: [HTTPHeaderSetting]
    /// `rate_limit` with a non-zero interval; nil when requests are not rate-limited.
    package var rateLimit: RateLimit?

    package init(
        tls: TLSSettings? = nil, basicAuthUsers: [String: String] = [:], headers: [HTTPHeaderSetting] = [],
        rateLimit: RateLimit? = nil
    ) {
        self.tls = tls
        self.basicAuthUsers = basicAuthUsers
        self.headers = headers
        self.rateLimit = rateLimit
    }

    /// `rate_limit`: a token every `interval`, at most `burst` saved up.
    package struct RateLimit: Sendable, Equatable {
        package var interval: Duration
        package var burst: Int

        package init(interval: Duration, burst: Int) {
            self.interval = interval
            self.burst = burst
        }
    }

    package struct HTTPHeaderSetting: Sendable, Equatable {
        package var name: String
        package var value: String
    }

    /// `tls_server_config`.
    package struct TLSSettings: Sendable, Equatable {
        package enum Source: Sendable, Equatable {
            case file(String)
            /// PEM text given inline (`cert`, `key`, `client_ca`).
            case inline(String)
        }

        package var certificate: Source
        package var privateKey: Source
        package var clientCAs: Source?
        package var clientAuth: ClientAuth
        package var minVersion: TLSVersionName
        package var maxVersion: TLSVersionName

        /// The files this configuration reads: a change to any of them means a reload.
        package var referencedFiles: [String] {
            [certificate, privateKey, clientCAs].compactMap { source in
                if case .file(let path) = source { return path }
                return nil
            }
        }
    }

    /// exporter-toolkit's `client_auth_type` values (Go's `tls.ClientAuthType`).
    package enum ClientAuth: String, Sendable, CaseIterable {
        case noClientCert = "NoClientCert"
        case requestClientCert = "RequestClientCert"
        case requireAnyClientCert = "RequireAnyClientCert"
        case verifyClientCertIfGiven = "VerifyClientCertIfGiven"
        case requireAndVerifyClientCert = "RequireAndVerifyClientCert"

        /// Whether the client's certificate is checked against `client_ca_file`.
        var verifiesAgainstClientCAs: Bool { self == .verifyClientCertIfGiven || self == .requireAndVerifyClientCert }
    }

    /// `min_version` / `max_version` values.
    package enum TLSVersionName: String, Sendable, CaseIterable, Comparable {
        case tls10 = "TLS10"
        case tls11 = "TLS11"
        case tls12 = "TLS12"
        case tls13 = "TLS13"

        package static func < (lhs: Self, rhs: Self) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }
}
