import Foundation
import GenesysAPI
import GenesysAuth
import GenesysHTTP

/// Response headers and error answers: what a failed token request or API call hands the classifiers.
enum ErrorResponseTargets {
    /// A header block, each line through `HeaderLine` (the code libcurl's header callback runs), then every
    /// reader of those headers: Retry-After, the rate-limit pair, the correlation id, and the 429 classifiers
    /// that print the Retry-After delay.
    static func headers(_ data: [UInt8]) {
        let response = parse(data, defaultStatus: 429)
        if let delay = response.retryAfter(now: fixedNow) {
            FuzzTargets.require(delay >= .zero && delay <= RetryAfter.ceiling, "Retry-After \(delay)")
        }
        if let limit = APIMetrics.rateLimit(response.headers) { _ = limit.allowed - limit.count }
        _ = response.headers["ININ-Correlation-Id"]
        var throttled = response
        throttled.status = 429
        _ = TokenEndpoint.classify(failure: throttled, grant: .clientCredentials).message
        _ = GenesysAPIClient.classify(endpoint: .routingQueues, response: throttled, correlationID: nil).message
    }

    /// A Retry-After value on its own (both RFC 9110 forms), read at a fixed moment.
    static func retryAfter(_ data: [UInt8]) {
        let value = String(decoding: data, as: UTF8.self)
        _ = HTTPDate.parse(value)
        guard let delay = RetryAfter.parse(value, now: fixedNow) else { return }
        FuzzTargets.require(delay >= .zero && delay <= RetryAfter.ceiling, "Retry-After '\(value)' gave \(delay)")
    }

    /// 2026-11-27 03:50:00 UTC: fixed, so a run is repeatable.
    static let fixedNow = Date(timeIntervalSince1970: 1_795_751_400)

    static func tokenError(_ data: [UInt8]) {
        let response = parse(data, defaultStatus: 400)
        guard response.status != 200 else { return }  // a 200 goes to TokenEndpoint.decode instead
        for grant in OAuthGrant.allCases {
            let error = TokenEndpoint.classify(failure: response, grant: grant)
            _ = (error.message, error.retryAfter)
        }
    }

    static func apiError(_ data: [UInt8]) {
        let response = parse(data, defaultStatus: 500)
        guard !(200..<300).contains(response.status) else { return }  // 2xx bodies go to the model decoders
        let error = GenesysAPIClient.classify(
            endpoint: .queueObservations, response: response, correlationID: response.headers["ININ-Correlation-Id"])
        _ = (error.message, error.retryAfter, error.reason)
    }

    /// Splits bytes as a response arrives: header lines (line end included, as libcurl hands them over) up
    /// to an empty line, then the body. The status comes from the last status line (this harness's job; the
    /// exporter reads it from libcurl), else `defaultStatus`.
    static func parse(_ data: [UInt8], defaultStatus: Int) -> HTTPResponse {
        var fields: [(name: String, value: String)] = []
        var status = defaultStatus
        var start = 0
        while start < data.count {
            let newline = data[start...].firstIndex(of: UInt8(ascii: "\n"))
            let end = newline.map { $0 + 1 } ?? data.count
            let line = data[start..<end]
            start = end
            if line.elementsEqual("\n".utf8) || line.elementsEqual("\r\n".utf8) { break }
            let parsed = line.withUnsafeBytes { HeaderLine(bytes: $0) }
            switch parsed {
            case .statusLine:
                fields.removeAll()
                let words = line.split(separator: UInt8(ascii: " "), maxSplits: 2)
                if words.count >= 2,
                    let code = Int(String(decoding: words[1], as: UTF8.self)), (100...999).contains(code)
                {
                    status = code
                }
            case .field(let name, let value): fields.append((name: name, value: value))
            case .other: break
            }
        }
        return HTTPResponse(status: status, headers: ResponseHeaders(fields), body: Array(data[start...]))
    }
}
