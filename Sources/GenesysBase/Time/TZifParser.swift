/// RFC 8536's TZif format, version 1 to 4: the transitions and offsets `TimeZoneRules` needs, every count and
/// offset range-checked before use (the bytes come from disk, and `$TZDIR` may point anywhere).
package enum TZifParser {
    /// The largest zoneinfo file is about 4 KB; anything near this is not one.
    static let maxBytes = 256 << 10
    /// RFC 8536 §3.2: offsets within (-25 h, +26 h), and -2^31 is never valid.
    package static let offsetRange: ClosedRange<Int32> = -89_999...93_599

    private struct Counts {
        let isUTC, isStandard, leaps, transitions, types, characters: Int

        /// Bytes of the data block with `timeSize`-byte transition times (4 in version 1, 8 after).
        func dataSize(timeSize: Int) -> Int {
            transitions * timeSize + transitions + types * 6 + characters + leaps * (timeSize + 4) + isStandard + isUTC
        }
    }

    package static func parse(_ bytes: [UInt8]) -> TimeZoneRules? {
        guard bytes.count <= maxBytes, let first = header(bytes, at: 0) else { return nil }
        let version = bytes[4]
        guard version == 0 || (UInt8(ascii: "2")...UInt8(ascii: "4")).contains(version) else { return nil }
        let firstEnd = 44 + first.dataSize(timeSize: 4)
        guard firstEnd <= bytes.count else { return nil }
        if version == 0 { return block(bytes, from: 44, counts: first, timeSize: 4, rule: nil) }
        // Version 2 and later repeat the data with 64-bit times, then a footer with the rule for later times.
        guard let second = header(bytes, at: firstEnd) else { return nil }
        let dataStart = firstEnd + 44
        let dataEnd = dataStart + second.dataSize(timeSize: 8)
        guard dataEnd < bytes.count, bytes[dataEnd] == UInt8(ascii: "\n") else { return nil }
        guard let newline = bytes[(dataEnd + 1)...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let footer = bytes[(dataEnd + 1)..<newline]
        var rule: POSIXTimeZoneRule?
        if !footer.isEmpty {
            guard let parsed = POSIXTimeZoneRule.parse(Array(footer)) else { return nil }
            rule = parsed
        }
        return block(bytes, from: dataStart, counts: second, timeSize: 8, rule: rule)
    }

    private static func header(_ bytes: [UInt8], at start: Int) -> Counts? {
        guard start + 44 <= bytes.count, bytes[start..<(start + 4)].elementsEqual("TZif".utf8) else { return nil }
        var values: [Int] = []
        for index in 0..<6 {
            let value = bigEndian(bytes, at: start + 20 + index * 4, size: 4)
            // Counts past these are no zone file (and would overflow the size arithmetic).
            guard value >= 0, value <= 100_000 else { return nil }
            values.append(Int(value))
        }
        let counts = Counts(
            isUTC: values[0], isStandard: values[1], leaps: values[2], transitions: values[3], types: values[4],
            characters: values[5])
        guard counts.types >= 1, counts.types <= 256, counts.characters >= 1,
            counts.isUTC == 0 || counts.isUTC == counts.types,
            counts.isStandard == 0 || counts.isStandard == counts.types
        else { return nil }
        return counts
    }

    private static func block(
        _ bytes: [UInt8], from start: Int, counts: Counts, timeSize: Int, rule: POSIXTimeZoneRule?
    ) -> TimeZoneRules? {
        let typesStart = start + counts.transitions * (timeSize + 1)
        var offsets: [Int32] = []
        for index in 0..<counts.types {
            let offset = Int32(truncatingIfNeeded: bigEndian(bytes, at: typesStart + index * 6, size: 4))
            guard offsetRange.contains(offset), bytes[typesStart + index * 6 + 4] <= 1 else { return nil }
            offsets.append(offset)
        }
        var transitions: [(at: Int64, offset: Int32)] = []
        transitions.reserveCapacity(counts.transitions)
        for index in 0..<counts.transitions {
            let at = bigEndian(bytes, at: start + index * timeSize, size: timeSize)
            let type = Int(bytes[start + counts.transitions * timeSize + index])
            guard type < offsets.count, transitions.last.map({ $0.at < at }) ?? true else { return nil }
            transitions.append((at, offsets[type]))
        }
        return TimeZoneRules(transitions: transitions, initialOffset: offsets[0], rule: rule)
    }

    /// A signed big-endian integer of `size` (4 or 8) bytes; the caller checked the bounds.
    private static func bigEndian(_ bytes: [UInt8], at start: Int, size: Int) -> Int64 {
        var value: UInt64 = 0
        for byte in bytes[start..<(start + size)] { value = value << 8 | UInt64(byte) }
        return size == 4 ? Int64(Int32(bitPattern: UInt32(truncatingIfNeeded: value))) : Int64(bitPattern: value)
    }
}
