import GenesysBase
import Glibc

/// `--web.systemd-socket`: the listening sockets systemd passes (socket activation, `sd_listen_fds(3)`): descriptors
/// 3, 4, … as many as `LISTEN_FDS` says, meant for this process when `LISTEN_PID` is its pid. Each must be a
/// listening TCP socket (`ListenStream=` with a port); each is made close-on-exec, as go-systemd's activation does.
package enum SystemdSocketActivation {
    static let setting = "--web.systemd-socket"
    /// `SD_LISTEN_FDS_START`.
    static let firstDescriptor: CInt = 3
    /// More than any `.socket` unit of this exporter needs; bounds what a hostile environment can make us check.
    static let mostSockets = 64

    /// The descriptors `environment` hands to process `pid`, checked only as text: that they are there, for this
    /// process, and how many.
    package static func descriptors(
        environment: [String: String], pid: Int32
    ) throws(ConfigurationError) -> [CInt] {
        guard let count = environment["LISTEN_FDS"] else {
            throw .invalid(
                setting: setting,
                reason: "no sockets were passed (LISTEN_FDS is not set): start the exporter from a systemd .socket "
                    + "unit (etc/systemd/genesys-exporter.socket) or with systemd-socket-activate, or use "
                    + "--web.listen-address")
        }
        guard let owner = environment["LISTEN_PID"], let ownerPID = Int32(owner), ownerPID > 0 else {
            throw .invalid(setting: setting, reason: "LISTEN_PID is missing or not a process id")
        }
        guard ownerPID == pid else {
            throw .invalid(
                setting: setting,
                reason: "the sockets were passed to process \(ownerPID), not to this one (\(pid)); "
                    + "start the exporter directly from the .socket unit's service")
        }
        guard let sockets = Int(count), (1...mostSockets).contains(sockets) else {
            throw .invalid(setting: setting, reason: "LISTEN_FDS '\(count)' is not a count from 1 to \(mostSockets)")
        }
        return (0..<CInt(sockets)).map { firstDescriptor + $0 }
    }

    /// Checks that each descriptor is a listening IPv4 or IPv6 stream socket, and makes it close-on-exec.
    package static func adopt(_ descriptors: [CInt]) throws(ConfigurationError) {
        for descriptor in descriptors {
            guard isListeningInetStream(descriptor) else {
                throw .invalid(
                    setting: setting,
                    reason: "descriptor \(descriptor) is not a listening TCP socket (the .socket unit needs "
                        + "ListenStream= with a port or address, not a path, FIFO or datagram)")
            }
            let flags = fcntl(descriptor, F_GETFD)
            guard flags >= 0, fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) == 0 else {
                throw .invalid(setting: setting, reason: "descriptor \(descriptor) cannot be made close-on-exec")
            }
        }
    }

    private static func isListeningInetStream(_ descriptor: CInt) -> Bool {
        func option(_ name: CInt) -> CInt? {
            var value: CInt = 0
            var length = socklen_t(MemoryLayout<CInt>.size)
            guard getsockopt(descriptor, SOL_SOCKET, name, &value, &length) == 0 else { return nil }
            return value
        }
        guard let domain = option(SO_DOMAIN), domain == AF_INET || domain == AF_INET6 else { return false }
        guard let type = option(SO_TYPE), type == CInt(SOCK_STREAM.rawValue) else { return false }
        return option(SO_ACCEPTCONN) == 1
    }
}
