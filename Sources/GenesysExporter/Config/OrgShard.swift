import GenesysBase
import GenesysTelemetry

/// `--config.shard I/N`: of the file's orgs, this instance runs those whose name hashes to `I` modulo `N`, so N
/// instances given the same file split its orgs between them, each org in exactly one.
package struct OrgShard: Sendable, Equatable, CustomStringConvertible {
    package static let maxCount = 1000
    package let index: Int
    package let count: Int

    package init(index: Int, count: Int) throws(ConfigurationError) {
        guard (1...Self.maxCount).contains(count), (0..<count).contains(index) else {
            throw .invalid(
                setting: "--config.shard",
                reason: "\(index)/\(count) is not I/N with 0 <= I < N and 1 <= N <= \(Self.maxCount)")
        }
        self.index = index
        self.count = count
    }

    /// Parses `I/N`, e.g. `0/3`.
    package init(parsing text: String) throws(ConfigurationError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        // Digits only and short: `Int(_:)` would also take a sign, and the range is checked below.
        func number(_ part: Substring) -> Int? {
            guard (1...4).contains(part.utf8.count), part.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
                return nil
            }
            return Int(part)
        }
        guard parts.count == 2, let index = number(parts[0]), let count = number(parts[1]) else {
            throw .invalid(
                setting: "--config.shard",
                reason:
                    "'\(SafeExcerpt.of(text, limit: 32))' is not I/N (e.g. 0/3: the first of 3 instances; 0 <= I < N <= \(Self.maxCount))"
            )
        }
        try self.init(index: index, count: count)
    }

    package var description: String { "\(index)/\(count)" }

    /// Whether the org named `name` belongs to this shard.
    package func contains(_ name: String) -> Bool {
        Self.hash(name) % UInt64(count) == UInt64(index)
    }

    /// FNV-1a 64-bit of the UTF-8 bytes: the same on every run and platform (Swift's `Hasher` is seeded per process).
    package static func hash(_ name: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // offset basis
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3  // FNV prime
        }
        return hash
    }
}
