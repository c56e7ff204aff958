import CCurl

/// A URL as libcurl itself parses it (`curl_url`), so the host we check is the host libcurl connects
/// to: a hand-written split read `http://127.0.0.2:1@example.com` as a loopback host while libcurl
/// sent the credentials to example.com.
package struct ParsedURL: Sendable, Equatable {
    /// Lower-cased.
    package let scheme: String
    /// As libcurl will resolve it; IPv6 literals keep their brackets.
    package let host: String
    package let port: Int?
    /// Without a trailing slash; empty for the root.
    package let path: String

    /// `scheme://host[:port]path`, the form the rest of the exporter appends API paths to.
    package var normalized: String {
        "\(scheme)://\(host)\(port.map { ":\($0)" } ?? "")\(path)"
    }

    /// Whether the host is this machine's loopback: `localhost`, `::1` or a dotted quad in 127.0.0.0/8.
    package var isLoopback: Bool {
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        return bare.lowercased() == "localhost" || bare == "::1" || Self.isLoopbackIPv4(bare)
    }

    /// Parses `raw` (a missing scheme means https) and refuses what an API, login or proxy URL must not
    /// carry: user info (it would travel to the host), a query or fragment, a scheme not in `schemes`.
    package static func parse(
        _ raw: String, schemes: Set<String> = ["https", "http"]
    ) -> Result<ParsedURL, URLRejection> {
        var text = raw.trimming(" \t")
        guard !text.isEmpty else { return .failure(.init("is empty")) }
        guard text.utf8.count <= 2048 else { return .failure(.init("is longer than 2048 bytes")) }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7f }) else {
            return .failure(.init("contains spaces or control characters"))
        }
        if !Self.hasScheme(text) { text = "https://" + text }
        guard let handle = curl_url() else { return .failure(.init("could not be parsed (out of memory)")) }
        defer { curl_url_cleanup(handle) }
        let code = curl_url_set(handle, CURLUPART_URL, text, UInt32(CURLU_NON_SUPPORT_SCHEME))
        guard code == CURLUE_OK else {
            return .failure(.init("is not a valid URL (\(String(cString: curl_url_strerror(code))))"))
        }
        func part(_ which: CURLUPart) -> String? {
            var value: UnsafeMutablePointer<CChar>?
            guard curl_url_get(handle, which, &value, 0) == CURLUE_OK, let value else { return nil }
            defer { curl_free(value) }
            return String(cString: value)
        }
        let scheme = (part(CURLUPART_SCHEME) ?? "").lowercased()
        guard schemes.contains(scheme) else {
            return .failure(
                .init(
                    "uses the scheme '\(scheme)'; use \(schemes.sorted().reversed().map { "\($0)://" }.joined(separator: " or "))"
                ))
        }
        if part(CURLUPART_USER) != nil || part(CURLUPART_PASSWORD) != nil || part(CURLUPART_OPTIONS) != nil {
            return .failure(.init("contains user info (user:password@); credentials never go in a URL"))
        }
        if part(CURLUPART_FRAGMENT) != nil { return .failure(.init("contains a #fragment")) }
        if part(CURLUPART_QUERY) != nil { return .failure(.init("contains a ?query")) }
        guard let host = part(CURLUPART_HOST), !host.isEmpty else { return .failure(.init("has no host")) }
        var port: Int?
        if let portText = part(CURLUPART_PORT) {
            guard let number = Int(portText), (1...65535).contains(number) else {
                return .failure(.init("has an invalid port"))
            }
            port = number
        }
        var path = part(CURLUPART_PATH) ?? ""
        while path.hasSuffix("/") { path.removeLast() }
        return .success(ParsedURL(scheme: scheme, host: host, port: port, path: path))
    }

    /// Whether `text` holds `://`, compared as bytes: a combining mark after it makes one Character of `/` and
    /// the mark, and a Character-level search would miss the scheme libcurl still sees.
    package static func hasScheme(_ text: String) -> Bool {
        text.utf8.firstRange(of: "://".utf8) != nil
    }

    /// `raw` fit to quote in a one-line error: control characters shown escaped, length capped.
    package static func printable(_ raw: String) -> String {
        var text = ""
        for scalar in raw.unicodeScalars.prefix(200) {
            text += scalar.value < 0x20 || scalar.value == 0x7f ? scalar.escaped(asASCII: true) : String(scalar)
        }
        return text
    }

    /// A dotted-quad literal in 127.0.0.0/8; `127.0.0.1.nip.io` is a public name, not loopback.
    static func isLoopbackIPv4(_ host: String) -> Bool {
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets[0] == "127" else { return false }
        return octets.allSatisfy { octet in
            !octet.isEmpty && octet.count <= 3 && octet.allSatisfy { $0.isASCII && $0.isNumber } && UInt8(octet) != nil
        }
    }
}

/// Why a URL was refused, as the end of a sentence starting with the URL's setting.
package struct URLRejection: Error, Sendable, Equatable {
    package let reason: String
    init(_ reason: String) { self.reason = reason }
}
