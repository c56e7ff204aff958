/// A credential that never prints itself: logging, interpolating or dumping it shows `<redacted>`.
package struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    package let exposedValue: String

    package init(_ value: String) { self.exposedValue = value }

    package var description: String { "<redacted>" }
    package var debugDescription: String { "<redacted>" }
    /// No children: `dump`, `Mirror` and anything walking a containing value see only `<redacted>`.
    package var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// The last 4 hex digits of a hash of the value, to correlate log lines without revealing it.
    package var fingerprint: String { String(StableHash.hex(of: exposedValue).suffix(4)) }
}

/// FNV-1a 64-bit: stable across runs and platforms (Swift's Hasher is seeded per process).
enum StableHash {
    static func hex(of text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
