import FoundationEssentials
import Glibc
import NIOHTTP1

/// A fully received request, as the routes see it.
struct SimulatorRequest: Sendable {
    let method: String
    /// The path without the query string.
    let path: String
    /// Decoded query parameters; the last value wins for a repeated name.
    let query: [String: String]
    let headers: HTTPHeaders
    let body: [UInt8]

    init(method: String, uri: String, headers: HTTPHeaders, body: [UInt8]) {
        self.method = method.uppercased()
        if let mark = uri.firstIndex(of: "?") {
            self.path = String(uri[..<mark])
            self.query = FormEncoding.decode(String(uri[uri.index(after: mark)...]))
        } else {
            self.path = uri
            self.query = [:]
        }
        self.headers = headers
        self.body = body
    }

    /// The body parsed as `application/x-www-form-urlencoded`.
    var formFields: [String: String] {
        FormEncoding.decode(String(decoding: body, as: UTF8.self))
    }
}

/// A reply before the common headers (correlation id, length) are added.
struct SimulatorResponse: Sendable {
    var status: Int
    var headers: [(String, String)] = []
    var body: [UInt8]

    init(status: Int, headers: [(String, String)] = [], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON reply; the object is serialized with sorted keys.
    static func json(_ status: Int, _ object: Any, headers: [(String, String)] = []) -> SimulatorResponse {
        SimulatorResponse(status: status, headers: headers, body: JSONBody.encode(object))
    }
}

/// What the connection handler should do with a request.
enum RouteOutcome: Sendable {
    case respond(SimulatorResponse, after: Duration?)
    /// The head now, then the body a chunk at a time.
    case drip(SimulatorResponse, chunkBytes: Int, every: Duration)
    case reset
    case hang
}

/// `application/x-www-form-urlencoded` and query-string decoding.
enum FormEncoding {
    static func decode(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = unescape(parts[0])
            let value = parts.count > 1 ? unescape(parts[1]) : ""
            fields[name] = value
        }
        return fields
    }

    private static func unescape(_ text: Substring) -> String {
        let spaced = String(text.replacing("+", with: " "))
        return percentDecoded(spaced) ?? spaced
    }

    /// `%XX` escapes decoded; nil when an escape is malformed or the result is not UTF-8.
    private static func percentDecoded(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var input = text.utf8.makeIterator()
        while let byte = input.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = input.next().flatMap(hexValue), let low = input.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// The bytes of a reply or request body (see `SimulatorJSON`).
enum JSONBody {
    static func encode(_ object: Any) -> [UInt8] {
        Array((SimulatorJSON.encode(object) ?? "{}").utf8)
    }

    static func decode(_ bytes: [UInt8]) -> Any? {
        guard !bytes.isEmpty else { return nil }
        return SimulatorJSON.decode(bytes)
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (what `.whitespaces` trimmed, without full Foundation).
    func trimmingSpaces() -> SubSequence {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        let start = firstIndex { !isSpace($0) } ?? endIndex
        let end = lastIndex { !isSpace($0) }.map { index(after: $0) } ?? start
        return self[start..<Swift.max(start, end)]
    }
}
