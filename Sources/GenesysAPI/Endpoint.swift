import GenesysBase
import GenesysHTTP
import GenesysJSON

/// An API endpoint: its path template is the only thing that reaches a metric label. Each collector declares the
/// endpoints it calls in its own file (`extension Endpoint`), with the permission Genesys requires and the decoder of
/// the answer; the permission table, `check` and the fuzz targets derive from that.
package struct Endpoint: Sendable, Hashable {
    package let method: String
    package let template: String
    /// The permission the API checks (nil when any valid token may call it).
    package let permission: String?
    /// How the answer is read; nil for an answer the exporter does not decode.
    package let answer: AnswerDecoder?

    package init(method: String, template: String, permission: String?, answer: AnswerDecoder? = nil) {
        self.method = method
        self.template = template
        self.permission = permission
        self.answer = answer
    }

    /// Every collector's queue listing: the queue directory and the queue selection read it.
    package static let routingQueues = Endpoint(
        method: "GET", template: "/api/v2/routing/queues", permission: "routing:queue:view",
        answer: AnswerDecoder(fuzzName: "queue-page") { json throws(JSONDecodingError) in
            try RoutingQueuesPage(json)
        })

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

    package static func == (lhs: Endpoint, rhs: Endpoint) -> Bool {
        lhs.method == rhs.method && lhs.template == rhs.template
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(template)
    }
}
