import GenesysTelemetry

/// Picks the exposition format from a request's `Accept` lines as client_golang's `expfmt.NegotiateAccept` does
/// (prometheus/common 0.70 with the wildcard fix of PR 966): clauses by falling q-value (ties keep their order), the
/// first clause that names an offered format exactly wins, and the text format answers everything else, including
/// `*/*`, `text/*`, a missing header and a malformed one. Outside bytes: nothing here can fail.
///
/// A version left out defaults as Go's does (`text/plain` to 0.0.4, OpenMetrics to 0.0.1); `charset` and `escaping`
/// are not compared (every name here is a legacy name, so no escaping scheme changes a byte). Two deliberate
/// differences from Go, for headers no Prometheus sends: a clause with `q=0` is refused, as RFC 9110 §12.4.2 says
/// (Go still matches it, last), and type names compare without case (RFC 9110 §8.3.1).
package enum ExpositionNegotiation {
    /// The formats offered, in the server's order of preference (client_golang's `NegotiateIncludingOpenMetrics`).
    static let offered: [ExpositionFormat] = [.openMetrics1, .openMetrics0, .protobuf, .text]

    /// Clauses beyond this many are not read: Prometheus sends five, and a hostile header costs no more than this.
    package static let mostClauses = 64

    package static func format(accept headerValues: [String]) -> ExpositionFormat {
        var clauses: [Clause] = []
        for value in headerValues {
            for element in value.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: true) {
                guard clauses.count < mostClauses else { break }
                if let clause = Clause(element) { clauses.append(clause) }
            }
        }
        // A stable sort: equal weights keep the order the client wrote them in.
        let ordered = clauses.enumerated().sorted { ($0.element.weight, -$0.offset) > ($1.element.weight, -$1.offset) }
        for (_, clause) in ordered where clause.weight > 0 {
            if let format = offered.first(where: clause.names) { return format }
        }
        return .text
    }

    /// One media range of `Accept` with its parameters and weight (in thousandths, as RFC 9110's qvalue has three
    /// decimals).
    struct Clause {
        let type: String
        let subtype: String
        let parameters: [String: String]
        let weight: Int

        init?(_ element: Substring.UTF8View.SubSequence) {
            let fields = element.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)
            guard let range = fields.first else { return nil }
            let halves = range.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            switch halves.count {
            case 1 where Self.text(halves[0]) == "*":
                (type, subtype) = ("*", "*")
            case 2:
                (type, subtype) = (Self.text(halves[0]).lowercased(), Self.text(halves[1]).lowercased())
            default:
                return nil
            }
            var parameters: [String: String] = [:]
            var weight = 1000
            for field in fields.dropFirst() {
                let pair = field.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
                guard pair.count == 2 else { continue }
                let key = Self.text(pair[0])
                if key == "q" {
                    weight = Self.thousandths(Self.text(pair[1])) ?? 0
                } else {
                    parameters[key] = Self.text(pair[1])
                }
            }
            self.parameters = parameters
            self.weight = weight
        }

        /// Whether this clause names `format`: the same type and the same version (defaulted as Go defaults it), or
        /// for protobuf the same `proto` and `encoding`.
        func names(_ format: ExpositionFormat) -> Bool {
            let (wantedType, wantedSubtype, wantedVersion, defaultVersion) =
                switch format {
                case .text: ("text", "plain", "0.0.4", "0.0.4")
                case .openMetrics1: ("application", "openmetrics-text", "1.0.0", "0.0.1")
                case .openMetrics0: ("application", "openmetrics-text", "0.0.1", "0.0.1")
                case .protobuf: ("application", "vnd.google.protobuf", "", "")
                }
            if format == .protobuf {
                return type == wantedType && subtype == wantedSubtype
                    && parameters["proto"] == "io.prometheus.client.MetricFamily"
                    && parameters["encoding"] == "delimited"
            }
            guard type == wantedType, subtype == wantedSubtype else { return false }
            return (parameters["version"] ?? defaultVersion) == wantedVersion
        }

        /// Spaces and tabs trimmed, as Go's `strings.Trim(s, " ")` (and tabs, which RFC 9110 allows too).
        static func text(_ bytes: Substring.UTF8View.SubSequence) -> String {
            let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
            guard let start = bytes.firstIndex(where: { !isSpace($0) }),
                let end = bytes.lastIndex(where: { !isSpace($0) })
            else { return "" }
            return String(decoding: bytes[start...end], as: UTF8.self)
        }

        /// A qvalue ("0", "0.5", "1.000", at most three decimals) in thousandths; nil for anything else, which
        /// then weighs nothing (Go's parse error leaves 0 too).
        static func thousandths(_ text: String) -> Int? {
            let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            guard let whole = parts.first, whole == "0" || whole == "1" else { return nil }
            var fraction = parts.count == 2 ? String(parts[1]) : ""
            guard fraction.count <= 3, fraction.allSatisfy({ $0 >= "0" && $0 <= "9" }) else { return nil }
            if parts.count == 2 && fraction.isEmpty { return nil }
            while fraction.count < 3 { fraction += "0" }
            let value = (whole == "1" ? 1000 : 0) + (Int(fraction) ?? 0)
            return value <= 1000 ? value : nil
        }
    }
}
