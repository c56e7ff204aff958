/// Settings shared by every request a client sends.
package struct HTTPClientConfiguration: Sendable {
    package var connectTimeout: Duration
    package var timeout: Duration
    package var maxResponseBytes: Int
    /// An extra CA bundle (PEM) trusted in addition to the system's.
    package var extraCAFile: String?
    package var userAgent: String
    /// Connections kept per host; more concurrent requests wait in libcurl's queue.
    package var maxConnectionsPerHost: Int

    package init(
        connectTimeout: Duration = .seconds(5), timeout: Duration = .seconds(30), maxResponseBytes: Int = 64 << 20,
        extraCAFile: String? = nil, userAgent: String = "genesys-exporter",
        maxConnectionsPerHost: Int = 8
    ) {
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.extraCAFile = extraCAFile
        self.userAgent = userAgent
        self.maxConnectionsPerHost = maxConnectionsPerHost
    }
}
