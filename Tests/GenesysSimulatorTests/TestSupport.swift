import Foundation
import GenesysSimulator

func basicAuthorization(_ id: String, _ secret: String) -> (String, String) {
    ("Authorization", "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString())
}

func bearer(_ token: String) -> (String, String) {
    ("Authorization", "Bearer \(token)")
}

let formContentType = ("Content-Type", "application/x-www-form-urlencoded")

extension GenesysSimulator {
    /// One request on a fresh connection.
    func request(
        _ method: String,
        _ path: String,
        headers: [(String, String)] = [],
        body: [UInt8] = [],
        timeout: Duration = .seconds(5)
    ) async throws -> HTTPReply {
        let connection = try await RawHTTPConnection.open(port: port)
        defer { connection.close() }
        return try await connection.send(method, path, headers: headers, body: body, timeout: timeout)
    }

    /// `POST /oauth/token` with the given form and Basic credentials.
    func tokenRequest(_ form: String, id: String? = nil, secret: String? = nil) async throws -> HTTPReply {
        let configuration = self.configuration
        return try await request(
            "POST", "/oauth/token",
            headers: [
                basicAuthorization(id ?? configuration.clientID, secret ?? configuration.clientSecret),
                formContentType,
            ],
            body: Array(form.utf8))
    }

    /// A fresh client-credentials access token.
    func clientToken() async throws -> String {
        let reply = try await tokenRequest("grant_type=client_credentials")
        guard reply.status == 200, let token = reply.json?["access_token"] as? String else {
            throw TestFailure("token grant failed: \(reply.status) \(reply.text)")
        }
        return token
    }

    /// An authenticated API GET.
    func get(_ path: String, token: String, timeout: Duration = .seconds(5)) async throws -> HTTPReply {
        try await request("GET", path, headers: [bearer(token)], timeout: timeout)
    }

    /// An observation query for these queue ids and metrics.
    func observe(_ queueIDs: [String], metrics: [String], token: String) async throws -> HTTPReply {
        try await request(
            "POST", "/api/v2/analytics/queues/observations/query",
            headers: [bearer(token), ("Content-Type", "application/json")],
            body: observationBody(queueIDs, metrics: metrics))
    }
}

func observationBody(_ queueIDs: [String], metrics: [String]) -> [UInt8] {
    let predicates = queueIDs.map { ["type": "dimension", "dimension": "queueId", "operator": "matches", "value": $0] }
    let query: [String: Any] = ["filter": ["type": "or", "predicates": predicates], "metrics": metrics]
    return Array(try! JSONSerialization.data(withJSONObject: query))
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension HTTPReply {
    /// The Genesys error `code`, if the body is an error body.
    var errorCode: String? { json?["code"] as? String }
    /// The OAuth `error`, if the body is an OAuth error body.
    var oauthError: String? { json?["error"] as? String }
}
