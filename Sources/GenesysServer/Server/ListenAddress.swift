/// One `--web.listen-address`: a host (IPv4 or IPv6 literal, or a name) and a port (0: any free port).
package struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    package var host: String
    package var port: Int

    package init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    var isIPv6: Bool { host.contains(":") }

    package var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
