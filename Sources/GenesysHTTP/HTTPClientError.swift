import CCurl

/// Transport failures a caller can act on, each with libcurl's message.
package enum HTTPClientError: Error, Equatable, CustomStringConvertible, Sendable {
    case timeout(String)
    case connectionRefused(String)
    case connectionReset(String)
    case dnsFailure(String)
    case tlsFailure(String)
    case responseTooLarge(limit: Int)
    case invalidRequest(String)
    case cancelled
    case transport(code: Int, message: String)

    package var description: String {
        switch self {
        case .timeout(let message): "timeout: \(message)"
        case .connectionRefused(let message): "connection refused: \(message)"
        case .connectionReset(let message): "connection reset: \(message)"
        case .dnsFailure(let message): "DNS failure: \(message)"
        case .tlsFailure(let message): "TLS failure: \(message)"
        case .responseTooLarge(let limit): "response larger than the \(limit)-byte limit"
        case .invalidRequest(let message): "invalid request: \(message)"
        case .cancelled: "request cancelled"
        case .transport(let code, let message): "transfer failed (curl code \(code)): \(message)"
        }
    }

    /// Classifies a libcurl result code.
    static func from(code: CURLcode, message: String, sizeLimit: Int, exceededSizeLimit: Bool) -> HTTPClientError {
        if exceededSizeLimit { return .responseTooLarge(limit: sizeLimit) }
        switch code {
        case CURLE_OPERATION_TIMEDOUT: return .timeout(message)
        case CURLE_COULDNT_CONNECT: return .connectionRefused(message)
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE: return .connectionReset(message)
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: return .dnsFailure(message)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
            CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_ENGINE_INITFAILED, CURLE_USE_SSL_FAILED:
            return .tlsFailure(message)
        case CURLE_FILESIZE_EXCEEDED: return .responseTooLarge(limit: sizeLimit)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: return .invalidRequest(message)
        case CURLE_ABORTED_BY_CALLBACK: return .cancelled
        default: return .transport(code: Int(code.rawValue), message: message)
        }
    }
}
