import Glibc
import Synchronization

/// A native (sparse, exponential) histogram as client_golang keeps one with `NativeHistogramBucketFactor: 1.1`:
/// schema 3 (each bucket 2^(1/8) ≈ 1.09 times the previous, so a quantile is within about 4.5% of the truth), the
/// default zero threshold 2^-128, and at most 160 buckets: past that the schema drops by one and neighbours merge
/// (client_golang's defaults never reset a histogram nor widen its zero bucket, so neither is done here).
package struct NativeHistogram: Sendable, Equatable {
    package static let startSchema: Int32 = 3
    package static let lowestSchema: Int32 = -4
    package static let zeroThreshold = 2.938735877055719e-39
    package static let mostBuckets = 160

    package private(set) var schema = startSchema
    package private(set) var zeroCount: UInt64 = 0
    package private(set) var positive: [Int32: UInt64] = [:]
    package private(set) var negative: [Int32: UInt64] = [:]

    package init() {}

    /// Counts `value` (NaN and infinities are not counted: a latency is never one).
    package mutating func observe(_ value: Double) {
        guard value.isFinite else { return }
        if abs(value) <= Self.zeroThreshold {
            zeroCount &+= 1
            return
        }
        let index = Self.index(of: abs(value), schema: schema)
        if value > 0 { positive[index, default: 0] &+= 1 } else { negative[index, default: 0] &+= 1 }
        while positive.count + negative.count > Self.mostBuckets && schema > Self.lowestSchema {
            halveResolution()
        }
    }

    /// The bucket holding `magnitude` (> 0): bucket i is (base^(i-1), base^i] with base = 2^(2^-schema).
    package static func index(of magnitude: Double, schema: Int32) -> Int32 {
        let scaled = log2(magnitude) * Double(sign: .plus, exponent: Int(schema), significand: 1)
        // Finite magnitudes give |log2| < 1075, so the index fits easily at any schema from -4 to 8.
        return Int32(scaled.rounded(.up))
    }

    /// One schema lower: bucket i becomes ceil(i / 2), its neighbour's count added.
    private mutating func halveResolution() {
        schema -= 1
        positive = Self.merged(positive)
        negative = Self.merged(negative)
    }

    private static func merged(_ buckets: [Int32: UInt64]) -> [Int32: UInt64] {
        var merged: [Int32: UInt64] = [:]
        for (index, count) in buckets { merged[(index + 1) >> 1, default: 0] &+= count }
        return merged
    }

    /// Spans and count deltas of one side, as `metrics.proto` wants them: indices ascending, each span's offset the
    /// gap after the previous span (the first's its start), each delta the change from the previous bucket's count.
    package static func spans(_ buckets: [Int32: UInt64]) -> (spans: [(offset: Int32, length: UInt32)], deltas: [Int64])
    {
        var spans: [(offset: Int32, length: UInt32)] = []
        var deltas: [Int64] = []
        var previousIndex: Int32?
        var previousCount: Int64 = 0
        for index in buckets.keys.sorted() {
            let count = Int64(clamping: buckets[index] ?? 0)
            if let last = previousIndex, index == last + 1 {
                spans[spans.count - 1].length += 1
            } else {
                spans.append((offset: previousIndex.map { index - $0 - 1 } ?? index, length: 1))
            }
            deltas.append(count &- previousCount)
            previousCount = count
            previousIndex = index
        }
        return (spans, deltas)
    }
}

/// The native histograms of one store, by family and labels: kept beside the classic ones the text page shows, and
/// written only into protobuf answers.
package final class NativeHistograms: Sendable {
    private let series = Mutex<[String: NativeHistogram]>([:])
    private let families = Mutex<Set<String>>([])

    package init() {}

    /// Marks `family` as one whose series carry a native histogram in protobuf answers, observed or not.
    package func register(_ family: String) { _ = families.withLock { $0.insert(family) } }

    package func isNative(_ family: String) -> Bool { families.withLock { $0.contains(family) } }

    /// The key of a series: its family, then its labels sorted by name (as the protobuf writer finds them).
    package static func key(_ family: String, _ labels: [(String, String)]) -> String {
        var key = family
        for (name, value) in labels.sorted(by: { $0.0 < $1.0 }) {
            key += "\u{0}" + name + "\u{0}" + value
        }
        return key
    }

    /// Counts `value` in the series; its family was registered when its metrics were made.
    package func observe(_ family: String, labels: [(String, String)], _ value: Double) {
        let key = Self.key(family, labels)
        series.withLock { $0[key, default: NativeHistogram()].observe(value) }
    }

    package func histogram(_ key: String) -> NativeHistogram? { series.withLock { $0[key] } }
}
