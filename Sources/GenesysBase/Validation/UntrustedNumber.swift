/// Range checks for numbers from outside (network, disk, environment) before any arithmetic:
/// converting an unchecked Double with `Int(_:)` traps outside Int's range, and a huge Duration
/// overflows the clock it is added to.
package enum UntrustedNumber {
    /// `value` when it is finite and inside `range`, else nil.
    package static func finite(_ value: Double, in range: ClosedRange<Double>) -> Double? {
        guard value.isFinite, range.contains(value) else { return nil }
        return value
    }

    /// `value` as an Int when it is finite, whole and inside `range`, else nil.
    package static func whole(_ value: Double, in range: ClosedRange<Int>) -> Int? {
        guard value.isFinite, value.rounded() == value,
            value >= Double(range.lowerBound), value <= Double(range.upperBound)
        else { return nil }
        return Int(value)
    }

    /// `value` clamped into `range` (NaN becomes the lower bound).
    package static func clamped(_ value: Double, to range: ClosedRange<Double>) -> Double {
        guard !value.isNaN else { return range.lowerBound }
        return min(max(value, range.lowerBound), range.upperBound)
    }
}

extension Duration {
    /// Whole seconds, for logs and messages: never traps, whatever the duration.
    package var wholeSeconds: Int64 { components.seconds }

    /// Whole milliseconds, for logs: saturates instead of trapping.
    package var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        return overflow ? (seconds < 0 ? .min : .max) : product + attoseconds / 1_000_000_000_000_000
    }
}
