import GenesysAPI
import GenesysAuth
import GenesysJSON
import GenesysTelemetry
import Prometheus

/// Who the exporter is logged in as: `GET /api/v2/tokens/me` (valid for client-credentials tokens),
/// `GET /api/v2/users/me` for user tokens only, and `GET /api/v2/organizations/me`.
struct IdentityCollector: Collector {
    static let name = "identity"
    static let help = "Who the exporter is logged in as (genesys_identity_info)."
    let grant: OAuthGrant
    private let info: GaugeSeriesSet

    init(store: MetricStore, grant: OAuthGrant) {
        self.grant = grant
        self.info = GaugeSeriesSet(
            store: store, name: "genesys_identity_info",
            help: "The org and OAuth client (and user, for user tokens) the exporter is logged in as; always 1.")
    }

    static func make(store: MetricStore, grant: OAuthGrant, options: [String: String]) -> Self {
        Self(store: store, grant: grant)
    }

    static func endpoints(grant: OAuthGrant) -> [Endpoint] {
        grant == .refreshToken ? [.tokensMe, .usersMe, .organizationsMe] : [.tokensMe, .organizationsMe]
    }

    var endpoints: [Endpoint] { Self.endpoints(grant: grant) }

    static func check(
        _ endpoint: Endpoint, api: GenesysAPIClient, probe: inout CheckProbe
    ) async throws(APIError)
        -> APIResult?
    {
        try await api.get(endpoint)
    }

    func collect(_ context: CollectorContext) async throws(APIError) -> Publication {
        let labels = try await Self.fetch(context.api, grant: grant).labels
        return { [info] in info.publish([(labels: labels, value: 1)]) }
    }

    static func fetch(_ api: GenesysAPIClient, grant: OAuthGrant) async throws(APIError) -> Identity {
        let tokenInfo = try await api.get(.tokensMe)
        let organization = try await api.get(.organizationsMe)
        var user: (id: String, name: String)?
        if grant == .refreshToken {
            let me = try await api.get(.usersMe)
            user = try api.decode(.usersMe, me, Identity.user)
        }
        let client = try api.decode(.tokensMe, tokenInfo, Identity.client)
        let org = try api.decode(.organizationsMe, organization, Identity.organization)
        return Identity(orgID: org.id, orgName: org.name, clientID: client.id, clientName: client.name, user: user)
    }
}

/// The identity behind the token, as exported by `genesys_identity_info`.
package struct Identity: Sendable {
    let orgID: String, orgName: String, clientID: String, clientName: String
    let user: (id: String, name: String)?

    /// The OAuth client from `GET /api/v2/tokens/me` (empty for a token without one).
    package static func client(_ json: JSONCursor) throws(JSONDecodingError) -> (id: String, name: String) {
        let client = try json.optionalField("OAuthClient")
        return (try client?.optionalString("id") ?? "", try client?.optionalString("name") ?? "")
    }

    /// The org from `GET /api/v2/organizations/me`.
    package static func organization(_ json: JSONCursor) throws(JSONDecodingError) -> (id: String, name: String) {
        (try json.string("id"), try json.optionalString("name") ?? "")
    }

    /// The user from `GET /api/v2/users/me` (user tokens only).
    package static func user(_ json: JSONCursor) throws(JSONDecodingError) -> (id: String, name: String) {
        (try json.string("id"), try json.optionalString("name") ?? "")
    }

    var labels: [(String, String)] {
        var labels = [("org_id", orgID), ("org_name", orgName), ("client_id", clientID), ("client_name", clientName)]
        if let user { labels += [("user_id", user.id), ("user_name", user.name)] }
        return labels
    }
}

extension Endpoint {
    package static let tokensMe = Endpoint(
        method: "GET", template: "/api/v2/tokens/me", permission: nil,
        answer: AnswerDecoder(fuzzName: "tokens-me") { json throws(JSONDecodingError) in
            IdentityPair(try Identity.client(json))
        })
    /// User tokens only: a client-credentials token gets HTTP 400.
    package static let usersMe = Endpoint(
        method: "GET", template: "/api/v2/users/me", permission: nil,
        answer: AnswerDecoder(fuzzName: "users-me") { json throws(JSONDecodingError) in
            IdentityPair(try Identity.user(json))
        })
    package static let organizationsMe = Endpoint(
        method: "GET", template: "/api/v2/organizations/me", permission: nil,
        answer: AnswerDecoder(fuzzName: "organizations-me") { json throws(JSONDecodingError) in
            IdentityPair(try Identity.organization(json))
        })
}

/// An id and a name, comparable, for the decoders' fuzz targets.
struct IdentityPair: Equatable, Sendable {
    let id: String, name: String

    init(_ pair: (id: String, name: String)) { (id, name) = pair }
}
