/// An API endpoint: its path template is the only thing that reaches a metric label.
package struct Endpoint: Sendable, Hashable {
    package let method: String
    package let template: String

    package static let tokensMe = Endpoint(method: "GET", template: "/api/v2/tokens/me")
    package static let usersMe = Endpoint(method: "GET", template: "/api/v2/users/me")
    package static let organizationsMe = Endpoint(method: "GET", template: "/api/v2/organizations/me")
    package static let routingQueues = Endpoint(method: "GET", template: "/api/v2/routing/queues")
    package static let queueObservations = Endpoint(
        method: "POST", template: "/api/v2/analytics/queues/observations/query")
}
