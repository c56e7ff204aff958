import GenesysHTTP

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
    package static let conversationAggregates = Endpoint(
        method: "POST", template: "/api/v2/analytics/conversations/aggregates/query")
    package static let estimatedWaitTime = Endpoint(
        method: "GET", template: "/api/v2/routing/queues/{queueId}/mediatypes/{mediaType}/estimatedwaittime")

    /// The path with each `{name}` replaced by its percent-encoded value. Dots are encoded too, so an id like `..`
    /// from the API cannot become a dot segment that moves the request elsewhere. Ids never reach the `endpoint`
    /// label: it is the template.
    package func path(_ parameters: [String: String]) -> String {
        var path = template
        for (name, value) in parameters {
            path = path.replacing("{\(name)}", with: PercentEncoding.encode(value).replacing(".", with: "%2E"))
        }
        return path
    }
}
