import Foundation
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
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}

/// JSON serialization for replies (Foundation is fine here: this is the fake server, not the exporter).
enum JSONBody {
    static func encode(_ object: Any) -> [UInt8] {
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else {
            return Array("{}".utf8)
        }
        return Array(data)
    }

    static func decode(_ bytes: [UInt8]) -> Any? {
        guard !bytes.isEmpty else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(bytes), options: [])
    }
}
