import Glibc

/// An IANA time zone read from the system's zoneinfo (TZif files, RFC 8536): the UTC offset at any instant and
/// where a local day starts. FoundationEssentials knows only fixed offsets, and full Foundation would map ICU,
/// so the exporter reads the same files glibc and Go read.
package struct TimeZoneRules: Sendable {
    /// Transition instants (Unix seconds, ascending) and the UTC offset from each one on.
    let transitions: [(at: Int64, offset: Int32)]
    /// The offset before the first transition (RFC 8536: time type 0).
    let initialOffset: Int32
    /// The rule after the last transition, from the TZif footer; nil keeps the last offset.
    let rule: POSIXTimeZoneRule?

    package static let utc = TimeZoneRules(transitions: [], initialOffset: 0, rule: nil)

    /// Where zone files are read from: `$TZDIR` (as glibc reads it), else /usr/share/zoneinfo (Debian's tzdata).
    package static var systemDirectory: String {
        getenv("TZDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/share/zoneinfo"
    }

    /// The zone named `identifier` ("Europe/Berlin"), read from `directory`; "UTC" needs no file. Nil for a name
    /// that is not a safe relative path, or a file that is missing or not valid TZif.
    package static func named(_ identifier: String, directory: String = systemDirectory) -> TimeZoneRules? {
        if ["UTC", "Etc/UTC", "GMT", "Etc/GMT", "Z", "Zulu"].contains(identifier) { return .utc }
        guard isSafeName(identifier) else { return nil }
        guard let bytes = readSmallFile("\(directory)/\(identifier)") else { return nil }
        return TZifParser.parse(bytes)
    }

    /// Seconds east of UTC at `unixSeconds`.
    package func offset(at unixSeconds: Int64) -> Int32 {
        guard let first = transitions.first, unixSeconds >= first.at else {
            return transitions.isEmpty ? (rule?.offset(at: unixSeconds) ?? initialOffset) : initialOffset
        }
        if let rule, unixSeconds >= transitions[transitions.count - 1].at { return rule.offset(at: unixSeconds) }
        // The last transition at or before the instant.
        var low = 0
        var high = transitions.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if transitions[middle].at <= unixSeconds { low = middle } else { high = middle - 1 }
        }
        return transitions[low].offset
    }

    /// The first instant of the local day `unixSeconds` falls on: local midnight, or the end of a gap when the
    /// clocks skip midnight (as in Santiago), the earlier one when midnight happens twice.
    package func startOfDay(containing instant: Int64) -> Int64 {
        let unixSeconds = min(max(instant, 0), 253_402_300_799)  // inside UTCTimestamp's years: no overflow
        let day = localDay(unixSeconds)
        let midnight = day * 86_400
        // Every offset in force around that midnight: transitions are never hours apart.
        var offsets: Set<Int32> = [offset(at: unixSeconds)]
        for probe in stride(from: midnight - 2 * 86_400, through: unixSeconds, by: 3_600) {
            offsets.insert(offset(at: probe))
        }
        let exact = offsets.map { midnight - Int64($0) }.filter { offset(at: $0) == Int32(midnight - $0) }
        if let earliest = exact.filter({ $0 <= unixSeconds }).min() { return earliest }
        // Midnight fell in a gap (the clocks jumped over it): the day starts where the jump landed. Step back an
        // hour at a time to an instant on another date, then bisect to where this date begins. A zone's local date
        // need not grow with time (clocks set back over midnight), so only "on this date or not" is compared.
        let earliest = midnight - 2 * 86_400
        var onDay = unixSeconds
        var before = unixSeconds - 3_600
        while before > earliest && localDay(before) == day {
            onDay = before
            before -= 3_600
        }
        while onDay - before > 1 {
            let middle = before + (onDay - before) / 2
            if localDay(middle) == day { onDay = middle } else { before = middle }
        }
        return onDay
    }

    private func localDay(_ unixSeconds: Int64) -> Int64 {
        let local = unixSeconds + Int64(offset(at: unixSeconds))
        return local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
    }

    /// Letters, digits, `_+-` and `/` between components; no empty, `.` or `..` component, nothing absolute.
    static func isSafeName(_ name: String) -> Bool {
        guard (1...255).contains(name.utf8.count) else { return false }
        return name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { part in
            !part.isEmpty && part != "." && part != ".."
                && part.utf8.allSatisfy { byte in
                    (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                        || byte == 0x5F || byte == 0x2B || byte == 0x2D
                }
        }
    }

    /// The whole file when it is a regular file of at most `TZifParser.maxBytes`. O_NONBLOCK and the fstat check:
    /// a FIFO under `$TZDIR` must not hang the start-up.
    private static func readSmallFile(_ path: String) -> [UInt8]? {
        try? RegularFile.bytes(path, limit: TZifParser.maxBytes).get()
    }
}
