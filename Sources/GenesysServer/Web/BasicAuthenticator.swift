import NIOCore
import NIOPosix
import Synchronization

/// Checks HTTP basic credentials against `basic_auth_users`. bcrypt is deliberately slow, so verdicts for a
/// (user, hash, password) are remembered: Prometheus sending the same credentials every scrape pays bcrypt once.
/// Unknown users are checked against a dummy hash so their answer takes as long as a wrong password.
package final class BasicAuthenticator: Sendable {
    package enum Verdict: Sendable, Equatable {
        case allowed
        case denied
        /// Not decided yet: run `verify` off the event loop.
        case needsBcrypt(Credentials)
    }

    package struct Credentials: Sendable, Equatable, Hashable {
        package let user: String
        package let password: String
    }

    private let users: [String: String]
    private let counters: BcryptCounter
    /// Remembered verdicts, bounded: a flood of distinct wrong passwords empties it rather than growing it.
    private let verdicts = Mutex<[Credentials: Bool]>([:])
    private static let maxRememberedVerdicts = 1_000
    /// bcrypt of "not a real password" at cost 10, like exporter-toolkit's timing guard.
    private static let unknownUserHash = "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi"

    package init(users: [String: String], counters: BcryptCounter) {
        self.users = users
        self.counters = counters
    }

    /// Decides from the `Authorization` header and remembered verdicts alone; cheap enough for the event loop.
    package func verdict(authorization: String?) -> Verdict {
        guard let credentials = Self.credentials(fromAuthorization: authorization) else { return .denied }
        if let known = verdicts.withLock({ $0[credentials] }) { return known ? .allowed : .denied }
        return .needsBcrypt(credentials)
    }

    /// Runs bcrypt and remembers the verdict. Blocks for bcrypt's cost (tens of milliseconds).
    package func verify(_ credentials: Credentials) -> Bool {
        // Scrapers opening several connections at once queue the same check: the first one decides for all.
        if let known = verdicts.withLock({ $0[credentials] }) { return known }
        let hash = users[credentials.user]
        counters.recordBcrypt()
        let matches =
            BcryptHash.matches(password: credentials.password, hash: hash ?? Self.unknownUserHash) && hash != nil
        verdicts.withLock { remembered in
            if remembered.count >= Self.maxRememberedVerdicts { remembered.removeAll() }
            remembered[credentials] = matches
        }
        return matches
    }

    package static func credentials(fromAuthorization header: String?) -> Credentials? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic",
            let decoded = Base64.decode(String(parts[1]).trimmingSpaces),
            let text = String(validating: decoded, as: UTF8.self),
            let colon = text.firstIndex(of: ":")
        else { return nil }
        return Credentials(user: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
    }
}

/// Counts bcrypt computations across config reloads; read by tests ("1,000 scrapes cost one bcrypt").
package final class BcryptCounter: Sendable {
    private let count = Atomic<Int>(0)
    package init() {}
    package var computations: Int { count.load(ordering: .relaxed) }
    func recordBcrypt() { count.add(1, ordering: .relaxed) }
}

/// bcrypt runs here, one at a time (as exporter-toolkit serializes it), so wrong passwords can never occupy the
/// threads that render /metrics.
enum BcryptThreadPool {
    static let shared: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        return pool
    }()
}

private extension String {
    var trimmingSpaces: String { String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }
}

/// RFC 4648 base64 decoding of the Authorization header (Foundation's would pull Data into the hot path).
package enum Base64 {
    private static let values: [UInt8: UInt8] = {
        var table: [UInt8: UInt8] = [:]
        for (index, character) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[character] = UInt8(index)
        }
        return table
    }()

    package static func decode(_ text: String) -> [UInt8]? {
        var input = Array(text.utf8)
        guard input.count % 4 == 0, input.count <= 4096 else { return nil }
        var padding = 0
        while input.last == UInt8(ascii: "="), padding < 2 { input.removeLast(); padding += 1 }
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 3 / 4)
        var accumulator: UInt32 = 0, bits = 0
        for character in input {
            guard let value = values[character] else { return nil }
            accumulator = (accumulator << 6) | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8((accumulator >> UInt32(bits)) & 0xFF))
            }
        }
        return output
    }
}
