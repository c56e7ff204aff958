/// Wrap-up codes: a fixed catalogue of the org's codes, and which code each handled conversation of a queue got.
/// Handled conversation `n` of a queue and media type gets the code of slot `n mod 64` of the queue's pattern, so a
/// code's count of the first `N` is `(N / 64) * (its slots) + (its slots before N mod 64)`: exact, monotone and
/// O(64) for any `N`, and the codes' counts add up to `N`. Each queue uses some of the codes, the first ones more.
enum WrapupCodeModel {
    static let names = [
        "Resolved", "Follow-up needed", "Sale", "No sale", "Complaint", "Escalated", "Wrong number",
        "Callback requested", "Billing question", "Technical issue", "Cancelled", "General enquiry",
    ]
    static let slots = 64

    static func id(_ index: Int) -> String { ObservationModel.uuid(0x77, index) }

    static func object(_ index: Int) -> [String: Any] {
        ["id": id(index), "name": names[index], "selfUri": "/api/v2/routing/wrapupcodes/\(id(index))"]
    }

    /// The code index of each slot of the queue's pattern: a triangular draw over the queue's own codes.
    static func pattern(queueIndex: Int) -> [Int] {
        let own = names.indices.filter { StableHash.value(queueIndex, 0x78, $0) % 3 != 0 }
        let codes = own.isEmpty ? [0] : own
        let triangle = UInt64(codes.count * (codes.count + 1) / 2)
        return (0..<slots).map { slot in
            let draw = Int(StableHash.value(queueIndex, 0x79, slot) % triangle)
            // The largest i with i(i+1)/2 <= draw: codes early in the list take the larger shares.
            var i = 0
            while (i + 1) * (i + 2) / 2 <= draw { i += 1 }
            return codes[codes.count - 1 - i]
        }
    }

    /// How many of the first `handled` conversations got each code, by code index (codes with none left out).
    static func counts(handled: Int64, pattern: [Int]) -> [Int: Int64] {
        guard handled > 0 else { return [:] }
        var counts: [Int: Int64] = [:]
        let rounds = handled / Int64(slots)
        let rest = Int(handled % Int64(slots))
        for (slot, code) in pattern.enumerated() {
            let count = rounds + (slot < rest ? 1 : 0)
            if count > 0 { counts[code, default: 0] += count }
        }
        return counts
    }

    /// Handled conversations per code over `[from, to)` for a queue, media types added up, by code index.
    static func handled(queueIndex: Int, from: Int64, to: Int64) -> [Int: Int64] {
        let pattern = pattern(queueIndex: queueIndex)
        var totals: [Int: Int64] = [:]
        for media in ObservationModel.mediaTypes.indices {
            let profile = AggregateModel.Profile(queueIndex: queueIndex, media: media)
            let first = counts(handled: AggregateModel.cumulative(at: from, profile).handled, pattern: pattern)
            let last = counts(handled: AggregateModel.cumulative(at: max(from, to), profile).handled, pattern: pattern)
            for (code, count) in last { totals[code, default: 0] += count - (first[code] ?? 0) }
        }
        return totals.filter { $0.value > 0 }
    }
}
