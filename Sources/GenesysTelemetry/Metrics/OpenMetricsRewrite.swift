/// Rewrites the text exposition's families as OpenMetrics 1.0.0, so one rendering (and its cache) serves both:
/// - a counter's family is named without `_total` (its samples keep it) and each sample is followed by its
///   `_created`; a histogram's `_created` follows each series' `_count`; `untyped` becomes `unknown`;
/// - `# UNIT` is added where the family's name ends in a base unit (`_seconds`, `_bytes`, `_ratio`);
/// - the page ends with `# EOF` (`eof`, appended by whoever ends the page).
/// Everything else is the same bytes: label and `# HELP` escaping are the same in both formats, and a text sample
/// line is an OpenMetrics sample line. A counter whose name lacks `_total` would need its samples renamed, which
/// would make its series differ between formats, so it is written as `unknown` instead (none is registered today).
package enum OpenMetricsRewrite {
    package static let eof: [UInt8] = Array("# EOF\n".utf8)

    /// The suffixes OpenMetrics' `# UNIT` names, of the base units Prometheus' naming guide uses.
    static let units = ["seconds", "bytes", "ratio", "meters", "volts", "amperes", "joules", "grams", "celsius"]

    /// `families` in OpenMetrics, with `_created` stamped from `created` (the store the families came from), or
    /// without `_created` when it is nil.
    package static func families(
        _ families: ExpositionFamilies, created: CreatedSeries?, now: Double
    ) -> ExpositionFamilies {
        guard let created else {
            return families.rewritten { header, samples in
                guard let header, let family = Family(header: header) else { return (header, samples) }
                return (family.header, samples)
            }
        }
        return created.stamping(now: now) { stamper in
            families.rewritten { header, samples in
                guard let header, let family = Family(header: header) else { return (header, samples) }
                return (family.header, samples.map { family.samples($0, stamper: &stamper) })
            }
        }
    }

    /// One store's text page in OpenMetrics without `_created`, family by family as it stands (a store renders each
    /// family's lines together): only header lines change, so this is a copy with a few lines rewritten.
    package static func page(_ text: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count + text.count / 16)
        TextPageFamilies.forEach(text) { header, samples in
            out += Family(header: Array(header))?.header ?? Array(header)
            out += samples
        }
        return out
    }

    /// A family as its text header declares it.
    struct Family {
        enum Kind { case counter, gauge, histogram, summary, unknown }

        /// The OpenMetrics family name (a counter's without `_total`, unless kept).
        let name: String
        /// The name the text page declares.
        let textName: String
        let kind: Kind
        let help: ArraySlice<UInt8>?

        /// Reads the `# HELP` and `# TYPE` lines; nil when there is no `# TYPE` (the header is kept as it is).
        /// `keepingCounterName`: a counter keeps its `_total` (protobuf names the family as registered).
        init?(header: [UInt8], keepingCounterName: Bool = false) {
            var textName: String?
            var typeName: String?
            var help: ArraySlice<UInt8>?
            for line in header.split(separator: UInt8(ascii: "\n")) {
                let words = line.split(separator: UInt8(ascii: " "), maxSplits: 3, omittingEmptySubsequences: false)
                guard words.count >= 3, words[0].elementsEqual("#".utf8) else { continue }
                if words[1].elementsEqual("HELP".utf8) {
                    help = words.count == 4 ? words[3] : []
                } else if words[1].elementsEqual("TYPE".utf8), words.count == 4 {
                    textName = String(decoding: words[2], as: UTF8.self)
                    typeName = String(decoding: words[3], as: UTF8.self)
                }
            }
            guard let textName, let typeName else { return nil }
            self.help = help
            self.textName = textName
            switch typeName {
            case "counter" where keepingCounterName: (name, kind) = (textName, .counter)
            case "counter" where textName.hasSuffix("_total") && textName.count > "_total".count:
                (name, kind) = (String(textName.dropLast("_total".count)), .counter)
            case "gauge": (name, kind) = (textName, .gauge)
            case "histogram": (name, kind) = (textName, .histogram)
            case "summary": (name, kind) = (textName, .summary)
            default: (name, kind) = (textName, .unknown)
            }
        }

        var unit: String? {
            guard kind != .unknown else { return nil }
            return OpenMetricsRewrite.units.first { name.hasSuffix("_" + $0) }
        }

        var header: [UInt8] {
            var out: [UInt8] = []
            if let help {
                out += "# HELP \(name) ".utf8
                out += help
                out.append(UInt8(ascii: "\n"))
            }
            let type =
                switch kind {
                case .counter: "counter"
                case .gauge: "gauge"
                case .histogram: "histogram"
                case .summary: "summary"
                case .unknown: "unknown"
                }
            out += "# TYPE \(name) \(type)\n".utf8
            if let unit { out += "# UNIT \(name) \(unit)\n".utf8 }
            return out
        }

        /// The sample lines with a `_created` line after each counter sample and each histogram or summary `_count`.
        func samples(_ lines: [UInt8], stamper: inout CreatedSeries.Stamper) -> [UInt8] {
            let createdAfter: String
            switch kind {
            case .counter: createdAfter = name + "_total"
            case .histogram, .summary: createdAfter = name + "_count"
            case .gauge, .unknown: return lines
            }
            let marker = Array(createdAfter.utf8)
            var out: [UInt8] = []
            out.reserveCapacity(lines.count + lines.count / 2)
            for line in lines.split(separator: UInt8(ascii: "\n")) {
                out += line
                out.append(UInt8(ascii: "\n"))
                // `name_total{…} value` or `name_total value`: the series is everything before the last space.
                guard line.starts(with: marker),
                    let after = line.dropFirst(marker.count).first,
                    after == UInt8(ascii: "{") || after == UInt8(ascii: " "),
                    let space = line.lastIndex(of: UInt8(ascii: " "))
                else { continue }
                let labels = line[(line.startIndex + marker.count)..<space]
                out += "\(name)_created".utf8
                out += labels
                out.append(UInt8(ascii: " "))
                out += Self.seconds(stamper.created(line[line.startIndex..<space])).utf8
                out.append(UInt8(ascii: "\n"))
            }
            return out
        }

        /// Unix seconds with milliseconds, as OpenMetrics timestamps are written ("1733330000.125").
        static func seconds(_ value: Double) -> String {
            // Clock readings; anything outside 0…year 5000 is written as 0 rather than trapping on conversion.
            guard value.isFinite, value >= 0, value < 95_617_584_000 else { return "0" }
            let millis = Int64((value * 1000).rounded(.down))
            let fraction = String(millis % 1000)
            return "\(millis / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
        }
    }
}
