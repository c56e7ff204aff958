import FoundationEssentials
import Glibc

/// `GET /api/v2/tokens/me`, `/api/v2/users/me` and `/api/v2/organizations/me`.
enum IdentityRoutes {
    static let simulatedUserID = "8d3c2b1a-6f4e-4d2c-9b1a-0e9f8d7c6b5a"
    static let homeDivisionID = "3f2e1d0c-9b8a-4765-a432-10fedcba9876"
    static let clientScopes = ["analytics:readonly", "organization:readonly", "routing:readonly"]

    static func tokensMe(configuration: SimulatorConfiguration, subject: TokenSubject) -> SimulatorResponse {
        let organization: [String: Any] = ["id": configuration.orgID, "name": configuration.orgName]
        let client: [String: Any] = [
            "id": configuration.clientID,
            "name": "Simulated exporter client",
            "authorizedGrantType": subject == .client ? "CLIENT-CREDENTIALS" : "CODE",
            "scope": clientScopes,
            "state": "active",
            "organization": ["id": configuration.orgID],
            "dateCreated": "2024-01-15T09:30:00.000Z",
        ]
        return .json(
            200,
            [
                "organization": organization,
                "homeOrganization": organization,
                "authorizedScope": clientScopes,
                "OAuthClient": client,
                "dateTokenIdles": isoTimestamp(Date().addingTimeInterval(86_400)),
            ])
    }

    static func usersMe(configuration: SimulatorConfiguration, subject: TokenSubject) -> SimulatorResponse {
        guard subject == .user else {
            return ErrorBodies.api(
                400, code: "bad.request",
                message:
                    "This request requires a user context. Client credentials cannot be used for requests to this resource."
            )
        }
        return .json(
            200,
            [
                "id": simulatedUserID,
                "name": "Sim User",
                "email": "sim.user@example.com",
                "username": "sim.user@example.com",
                "state": "active",
                "division": division,
                "organization": [
                    "id": configuration.orgID,
                    "name": configuration.orgName,
                    "selfUri": "/api/v2/organizations/\(configuration.orgID)",
                ],
                "version": 1,
                "selfUri": "/api/v2/users/\(simulatedUserID)",
            ])
    }

    static func organizationsMe(configuration: SimulatorConfiguration) -> SimulatorResponse {
        .json(
            200,
            [
                "id": configuration.orgID,
                "name": configuration.orgName,
                "defaultLanguage": "en-us",
                "thirdPartyOrgName": "simulated-cc",
                "domain": "simulated-cc",
                "state": "active",
                "version": 7,
                "productPlatform": "PureCloud",
                "selfUri": "/api/v2/organizations/\(configuration.orgID)",
            ])
    }

    static var division: [String: Any] {
        ["id": homeDivisionID, "name": "Home", "selfUri": "/api/v2/authorization/divisions/\(homeDivisionID)"]
    }

    private static func isoTimestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

extension IdentityRoutes: SimulatorRouteFile {
    static let routes = [
        SimulatorRoute("GET", "/api/v2/tokens/me", permission: nil) { core, _, subject, _ in
            tokensMe(configuration: core.state.withLock { $0.configuration }, subject: subject)
        },
        SimulatorRoute("GET", "/api/v2/users/me", permission: nil) { core, _, subject, _ in
            usersMe(configuration: core.state.withLock { $0.configuration }, subject: subject)
        },
        SimulatorRoute("GET", "/api/v2/organizations/me", permission: nil) { core, _, _, _ in
            organizationsMe(configuration: core.state.withLock { $0.configuration })
        },
    ]
}
