/// The exposition as delimited `io.prometheus.client.MetricFamily` messages (`encoding=delimited`), made from the
/// text families so that one rendering serves every format. In the families it returns, a family's header is its
/// `name`, `help`, `type` and `unit` fields and its samples are its `metric` entries; `delimitedParts` puts each
/// family's length in front. Several orgs' families merge as text ones do: repeated `metric` entries concatenate.
///
/// Histograms carry their classic buckets and, for the families `native` keeps, the native histogram beside them
/// (schema, zero bucket, spans and deltas): Prometheus with native histograms enabled takes the native one.
package enum ProtobufExposition {
    /// `families` (text, as rendered) in protobuf. Labels named `org` are not part of a native histogram's key: the
    /// multi-org page adds them to an org's own series.
    package static func families(_ families: ExpositionFamilies, native: NativeHistograms?) -> ExpositionFamilies {
        families.rewritten { header, samples in
            guard let header, let family = OpenMetricsRewrite.Family(header: header, keepingCounterName: true) else {
                return (nil, nil)
            }
            var fields = ProtobufWriter()
            fields.string(1, Array(family.name.utf8))
            if let help = family.help { fields.string(2, unescapedHelp(help)) }
            fields.uint64(3, family.kind.protobufType)
            if let unit = family.unit { fields.string(5, Array(unit.utf8)) }
            let metrics = samples.map { metricEntries(family, $0, native: native) } ?? []
            return (fields.bytes, metrics)
        }
    }

    /// One store's text page (each family's lines together, as a store renders them) straight to the delimited
    /// stream, without splitting it into families first: the live part is encoded on every scrape.
    package static func page(_ text: [UInt8], native: NativeHistograms?) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 2)
        TextPageFamilies.forEach(text) { header, samples in
            guard let family = OpenMetricsRewrite.Family(header: Array(header), keepingCounterName: true) else {
                return
            }
            var fields = ProtobufWriter()
            fields.string(1, Array(family.name.utf8))
            if let help = family.help { fields.string(2, unescapedHelp(help)) }
            fields.uint64(3, family.kind.protobufType)
            if let unit = family.unit { fields.string(5, Array(unit.utf8)) }
            let metrics = metricEntries(family, samples, native: native)
            out += lengthPrefix(fields.bytes.count + metrics.count)
            out += fields.bytes
            out += metrics
        }
        return out
    }

    /// The varint that precedes a message of `count` bytes in the delimited format.
    package static func lengthPrefix(_ count: Int) -> [UInt8] { ProtobufWriter.lengthPrefix(count) }

    /// The page's buffers: per family its length prefix, its header fields and its metrics.
    package static func delimitedParts(_ families: ExpositionFamilies) -> [[UInt8]] {
        var parts: [[UInt8]] = []
        for (header, metrics) in families.familyParts() {
            parts.append(ProtobufWriter.lengthPrefix(header.count + metrics.count) + header)
            parts.append(metrics)
        }
        return parts
    }

    /// Each sample line (each histogram series) as a `metric` entry (field 4 of MetricFamily).
    static func metricEntries(
        _ family: OpenMetricsRewrite.Family, _ lines: some Collection<UInt8>, native: NativeHistograms?
    )
        -> [UInt8]
    {
        var out = ProtobufWriter()
        let lines = Array(lines)
        switch family.kind {
        case .gauge, .counter, .unknown:
            // The bulk of every page (per-queue gauges and counters): written straight from the line's bytes, sizes
            // first, so no label becomes a string and no nested message gets a buffer of its own.
            let field: UInt64 = family.kind == .gauge ? 2 : family.kind == .counter ? 3 : 5
            let name = Array(family.textName.utf8)
            for line in lines.split(separator: UInt8(ascii: "\n")) {
                SimpleSample.write(line, named: name, valueField: field, into: &out)
            }
        case .histogram:
            let samples = lines.split(separator: UInt8(ascii: "\n")).compactMap(TextSample.init)
            for series in HistogramSeries.group(samples, family: family.name) {
                out.message(4) { metric in
                    labels(series.labels, into: &metric)
                    metric.message(7) { histogram in
                        histogram.uint64(1, UInt64(clamping: Int64(exactly: series.count.rounded()) ?? 0))
                        histogram.double(2, series.sum)
                        for (bound, count) in series.buckets where bound.isFinite {
                            histogram.message(3) { bucket in
                                bucket.uint64(1, UInt64(clamping: Int64(exactly: count.rounded()) ?? 0))
                                bucket.double(2, bound)
                            }
                        }
                        if let native, native.isNative(family.name) {
                            let key = NativeHistograms.key(family.name, series.labels.filter { $0.0 != "org" })
                            write(native.histogram(key) ?? NativeHistogram(), into: &histogram)
                        }
                    }
                }
            }
        case .summary:
            break  // none is registered; a summary's quantile lines would need their own reading
        }
        return out.bytes
    }

    static func labels(_ labels: [(String, String)], into metric: inout ProtobufWriter) {
        for (name, value) in labels {
            metric.message(1) { pair in
                pair.string(1, Array(name.utf8))
                pair.string(2, Array(value.utf8))
            }
        }
    }

    /// The native fields of `Histogram` (schema 5, zero threshold 6, zero count 7, spans 9/12, deltas 10/13).
    static func write(_ native: NativeHistogram, into histogram: inout ProtobufWriter) {
        histogram.sint64(5, Int64(native.schema))
        histogram.double(6, NativeHistogram.zeroThreshold)
        histogram.uint64(7, native.zeroCount)
        for (buckets, spanField, deltaField) in [(native.negative, UInt64(9), UInt64(10)), (native.positive, 12, 13)] {
            let (spans, deltas) = NativeHistogram.spans(buckets)
            for span in spans {
                histogram.message(spanField) { message in
                    message.sint64(1, Int64(span.offset))
                    message.uint64(2, UInt64(span.length))
                }
            }
            for delta in deltas { histogram.sint64(deltaField, delta) }
        }
    }

    /// `# HELP` text as written (`\\` and `\n` escaped) back to the text itself.
    static func unescapedHelp(_ help: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(help.count)
        var escaped = false
        for byte in help {
            if escaped {
                out.append(byte == UInt8(ascii: "n") ? UInt8(ascii: "\n") : byte)
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else {
                out.append(byte)
            }
        }
        return out
    }
}

/// A gauge, counter or untyped sample line encoded as a `Metric` without copies: its label names and values are
/// slices of the line (a value is unescaped only when it holds a backslash).
enum SimpleSample {
    static func write(
        _ line: ArraySlice<UInt8>, named name: [UInt8], valueField: UInt64, into out: inout ProtobufWriter
    ) {
        guard line.count > name.count, line.starts(with: name) else { return }
        var index = line.startIndex + name.count
        var labels: [(name: ArraySlice<UInt8>, value: ArraySlice<UInt8>)] = []
        if line[index] == UInt8(ascii: "{") {
            index += 1
            while index < line.endIndex, line[index] != UInt8(ascii: "}") {
                guard let equals = line[index...].firstIndex(of: UInt8(ascii: "=")), equals + 1 < line.endIndex,
                    line[equals + 1] == UInt8(ascii: "\"")
                else { return }
                var cursor = equals + 2
                var escaped = false
                while cursor < line.endIndex, line[cursor] != UInt8(ascii: "\"") {
                    if line[cursor] == UInt8(ascii: "\\") {
                        escaped = true
                        cursor += 1
                    }
                    cursor += 1
                }
                guard cursor < line.endIndex else { return }
                let raw = line[(equals + 2)..<cursor]
                labels.append((line[index..<equals], escaped ? ArraySlice(unescaped(raw)) : raw))
                index = cursor + 1
                if index < line.endIndex, line[index] == UInt8(ascii: ",") { index += 1 }
            }
            index += 1
        }
        guard index < line.endIndex, line[index] == UInt8(ascii: " ") else { return }
        let text = String(decoding: line[(index + 1)...].prefix { $0 != UInt8(ascii: " ") }, as: UTF8.self)
        let value: Double
        switch text {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default:
            guard let parsed = Double(text) else { return }
            value = parsed
        }
        // Metric { label* (1), gauge/counter/untyped (2/3/5) { value (1): double } }
        var size = 11
        for label in labels {
            let pair = ProtobufWriter.fieldSize(label.name.count) + ProtobufWriter.fieldSize(label.value.count)
            size += ProtobufWriter.fieldSize(pair)
        }
        out.tag(4, .lengthDelimited)
        out.varint(UInt64(size))
        for label in labels {
            out.tag(1, .lengthDelimited)
            out.varint(UInt64(ProtobufWriter.fieldSize(label.name.count) + ProtobufWriter.fieldSize(label.value.count)))
            out.string(1, label.name)
            out.string(2, label.value)
        }
        out.tag(valueField, .lengthDelimited)
        out.varint(9)
        out.double(1, value)
    }

    static func unescaped(_ raw: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        var escaped = false
        for byte in raw {
            if escaped {
                out.append(byte == UInt8(ascii: "n") ? UInt8(ascii: "\n") : byte)
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else {
                out.append(byte)
            }
        }
        return out
    }
}

/// One sample line of the text page as rendered here: `name{label="value",…} value`.
struct TextSample {
    let name: String
    let labels: [(String, String)]
    let value: Double

    init?(_ line: ArraySlice<UInt8>) {
        guard let nameEnd = line.firstIndex(where: { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: " ") }) else {
            return nil
        }
        name = String(decoding: line[line.startIndex..<nameEnd], as: UTF8.self)
        var labels: [(String, String)] = []
        var index = nameEnd
        if line[index] == UInt8(ascii: "{") {
            index += 1
            while index < line.endIndex, line[index] != UInt8(ascii: "}") {
                guard let equals = line[index...].firstIndex(of: UInt8(ascii: "=")), equals + 1 < line.endIndex,
                    line[equals + 1] == UInt8(ascii: "\"")
                else { return nil }
                let labelName = String(decoding: line[index..<equals], as: UTF8.self)
                var cursor = equals + 2
                var value: [UInt8] = []
                while cursor < line.endIndex, line[cursor] != UInt8(ascii: "\"") {
                    if line[cursor] == UInt8(ascii: "\\"), cursor + 1 < line.endIndex {
                        cursor += 1
                        value.append(line[cursor] == UInt8(ascii: "n") ? UInt8(ascii: "\n") : line[cursor])
                    } else {
                        value.append(line[cursor])
                    }
                    cursor += 1
                }
                guard cursor < line.endIndex else { return nil }
                labels.append((labelName, String(decoding: value, as: UTF8.self)))
                index = cursor + 1
                if index < line.endIndex, line[index] == UInt8(ascii: ",") { index += 1 }
            }
            index += 1
        }
        guard index < line.endIndex, let space = line[index...].firstIndex(of: UInt8(ascii: " ")) else { return nil }
        let text = String(decoding: line[(space + 1)...].prefix { $0 != UInt8(ascii: " ") }, as: UTF8.self)
        switch text {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default:
            guard let parsed = Double(text) else { return nil }
            value = parsed
        }
        self.labels = labels
    }
}

/// A histogram series gathered from its `_bucket`, `_sum` and `_count` lines.
struct HistogramSeries {
    let labels: [(String, String)]
    var buckets: [(bound: Double, count: Double)] = []
    var sum = 0.0
    var count = 0.0

    /// Lines of one family, series by series in page order (a series' lines are together, as rendered).
    static func group(_ samples: [TextSample], family: String) -> [HistogramSeries] {
        var series: [HistogramSeries] = []
        var keys: [[String]] = []
        for sample in samples {
            let labels = sample.labels.filter { $0.0 != "le" }
            let key = labels.flatMap { [$0.0, $0.1] }
            if keys.last != key {
                keys.append(key)
                series.append(HistogramSeries(labels: labels))
            }
            switch sample.name {
            case family + "_bucket":
                let bound = sample.labels.first { $0.0 == "le" }.map { $0.1 == "+Inf" ? Double.infinity : Double($0.1) }
                if let bound = bound ?? nil { series[series.count - 1].buckets.append((bound, sample.value)) }
            case family + "_sum": series[series.count - 1].sum = sample.value
            case family + "_count": series[series.count - 1].count = sample.value
            default: break
            }
        }
        return series
    }
}

extension OpenMetricsRewrite.Family.Kind {
    /// `MetricType` of metrics.proto.
    var protobufType: UInt64 {
        switch self {
        case .counter: 0
        case .gauge: 1
        case .summary: 2
        case .unknown: 3
        case .histogram: 4
        }
    }
}
