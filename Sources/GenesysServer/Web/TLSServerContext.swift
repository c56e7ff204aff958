import FoundationEssentials
import GenesysBase
import Glibc
import NIOCore
import NIOSSL

/// A ready-to-serve TLS setup built from `tls_server_config`: the swift-nio-ssl context plus how client
/// certificates are treated, mapped from Go's `tls.ClientAuthType` as exporter-toolkit uses it.
package struct TLSServerContext: Sendable {
    let context: NIOSSLContext
    /// RequestClientCert and RequireAnyClientCert ask for a certificate but accept any (Go does not verify them).
    let acceptsAnyClientCertificate: Bool

    /// Reads the certificate, key and client CA files and builds the context; errors name the key at fault.
    package init(_ settings: WebConfig.TLSSettings, configPath: String) throws(ConfigurationError) {
        func invalid(_ key: String, _ reason: String) -> ConfigurationError {
            .invalid(setting: "--web.config.file \(configPath): tls_server_config.\(key)", reason: reason)
        }
        func pemBytes(
            _ source: WebConfig.TLSSettings.Source, fileKey: String, inlineKey: String
        ) throws(ConfigurationError) -> ([UInt8], String) {
            switch source {
            case .inline(let text): return (Array(text.utf8), inlineKey)
            case .file(let path):
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw invalid(fileKey, "cannot read \(path)")
                }
                return ([UInt8](data), fileKey)
            }
        }
        let (certificateBytes, certificateKey) = try pemBytes(
            settings.certificate, fileKey: "cert_file", inlineKey: "cert")
        let (keyBytes, keyKey) = try pemBytes(settings.privateKey, fileKey: "key_file", inlineKey: "key")
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMBytes(certificateBytes) } catch {
            throw invalid(certificateKey, "no PEM certificate could be read")
        }
        guard !chain.isEmpty else { throw invalid(certificateKey, "no PEM certificate could be read") }
        let privateKey: NIOSSLPrivateKey
        // The key's bytes and the library's message about them stay out of the error: it is a secret.
        do { privateKey = try NIOSSLPrivateKey(bytes: keyBytes, format: .pem) } catch {
            throw invalid(keyKey, "no PEM private key could be read")
        }

        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        configuration.minimumTLSVersion = Self.version(settings.minVersion)
        configuration.maximumTLSVersion = Self.version(settings.maxVersion)
        if let clientCAs = settings.clientCAs {
            let (caBytes, caKey) = try pemBytes(clientCAs, fileKey: "client_ca_file", inlineKey: "client_ca")
            let authorities: [NIOSSLCertificate]
            do { authorities = try NIOSSLCertificate.fromPEMBytes(caBytes) } catch {
                throw invalid(caKey, "no PEM certificate could be read")
            }
            guard !authorities.isEmpty else { throw invalid(caKey, "no PEM certificate could be read") }
            configuration.trustRoots = .certificates(authorities)
            configuration.sendCANameList = true
        }
        switch settings.clientAuth {
        case .noClientCert: configuration.certificateVerification = .none
        case .requestClientCert, .verifyClientCertIfGiven: configuration.certificateVerification = .optionalVerification
        case .requireAnyClientCert, .requireAndVerifyClientCert:
            configuration.certificateVerification = .noHostnameVerification
        }
        acceptsAnyClientCertificate =
            settings.clientAuth == .requestClientCert || settings.clientAuth == .requireAnyClientCert
        do { context = try NIOSSLContext(configuration: configuration) } catch {
            // Most often the key does not belong to the certificate.
            throw invalid(
                keyKey, "the certificate and key cannot be used together (does the key match the certificate?)")
        }
    }

    /// The handler that terminates TLS for one connection.
    func makeHandler() -> NIOSSLServerHandler {
        if acceptsAnyClientCertificate {
            return NIOSSLServerHandler(context: context) { _, promise in promise.succeed(.certificateVerified) }
        }
        return NIOSSLServerHandler(context: context)
    }

    private static func version(_ name: WebConfig.TLSVersionName) -> TLSVersion {
        switch name {
        case .tls10: .tlsv1
        case .tls11: .tlsv11
        case .tls12: .tlsv12
        case .tls13: .tlsv13
        }
    }
}
