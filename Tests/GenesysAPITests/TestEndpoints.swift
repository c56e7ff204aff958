import GenesysAPI

/// The endpoints the API client's tests call. The collectors declare the real ones in their own files (with their
/// answer decoders), a layer above; the client needs only the method, the template and the permission.
extension Endpoint {
    static let tokensMe = Endpoint(method: "GET", template: "/api/v2/tokens/me", permission: nil)
    static let usersMe = Endpoint(method: "GET", template: "/api/v2/users/me", permission: nil)
    static let organizationsMe = Endpoint(method: "GET", template: "/api/v2/organizations/me", permission: nil)
    static let queueObservations = Endpoint(
        method: "POST", template: "/api/v2/analytics/queues/observations/query",
        permission: "analytics:queueObservation:view")
    static let conversationAggregates = Endpoint(
        method: "POST", template: "/api/v2/analytics/conversations/aggregates/query",
        permission: "analytics:conversationAggregate:view")
    static let estimatedWaitTime = Endpoint(
        method: "GET", template: "/api/v2/routing/queues/{queueId}/mediatypes/{mediaType}/estimatedwaittime",
        permission: "routing:queue:view")
}
