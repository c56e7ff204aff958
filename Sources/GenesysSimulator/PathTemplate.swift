/// A route path with `{name}` segments, e.g. `/api/v2/routing/queues/{queueId}/mediatypes/{mediaType}/…`.
struct PathTemplate: Sendable {
    /// The template as written; requests that match it are counted and logged under it.
    let text: String
    private let segments: [Substring]

    init(_ text: String) {
        self.text = text
        self.segments = text.split(separator: "/", omittingEmptySubsequences: false)
    }

    /// The values of the `{name}` segments when `path` matches (each one non-empty), nil otherwise.
    func match(_ path: String) -> [String: String]? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, parts) {
            if segment.hasPrefix("{"), segment.hasSuffix("}") {
                guard !part.isEmpty else { return nil }
                parameters[String(segment.dropFirst().dropLast())] = String(part)
            } else if segment != part {
                return nil
            }
        }
        return parameters
    }
}
