/// An outbound HTTP request. Header values may hold credentials: never log a request's headers.
package struct HTTPRequest: Sendable {
    package var method: String
    package var url: String
    package var headers: [(String, String)]
    package var body: [UInt8]?
    /// Overrides the client's total timeout for this request.
    package var timeout: Duration?
    /// Overrides the client's connect timeout for this request.
    package var connectTimeout: Duration?

    package init(
        method: String = "GET", url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
        timeout: Duration? = nil, connectTimeout: Duration? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
    }
}
