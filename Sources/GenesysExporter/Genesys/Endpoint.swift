/// An API endpoint: its path template is the only thing that reaches a metric label.
public struct Endpoint: Sendable, Hashable {
    public let method: String
    public let template: String

    public static let tokensMe = Endpoint(method: "GET", template: "/api/v2/tokens/me")
    public static let usersMe = Endpoint(method: "GET", template: "/api/v2/users/me")
    public static let organizationsMe = Endpoint(method: "GET", template: "/api/v2/organizations/me")
    public static let routingQueues = Endpoint(method: "GET", template: "/api/v2/routing/queues")
    public static let queueObservations = Endpoint(
        method: "POST", template: "/api/v2/analytics/queues/observations/query")
}
