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
            return (headerFields(family), samples.map { metricEntries(family, $0, native: native) } ?? [])
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
            let fields = headerFields(family)
            let metrics = metricEntries(family, samples, native: native)
            out += lengthPrefix(fields.count + metrics.count)
            out += fields
            out += metrics
        }
        return out
    }

    /// A family's own fields of `MetricFamily`: name (1), help (2), type (3) and unit (5).
    static func headerFields(_ family: OpenMetricsRewrite.Family) -> [UInt8] {
        var fields = ProtobufWriter()
        fields.string(1, Array(family.name.utf8))
        // `# HELP` escapes `\\` and `\n` as label values do.
        if let help = family.help { fields.string(2, SampleLine.unescaped(help)) }
        fields.uint64(3, family.kind.protobufType)
        if let unit = family.unit { fields.string(5, Array(unit.utf8)) }
        return fields.bytes
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
            let samples = lines.split(separator: UInt8(ascii: "\n")).compactMap(SampleLine.init)
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
}

/// A gauge, counter or untyped sample line encoded as a `Metric` without copies: its label names and values are
/// slices of the line (a value is unescaped only when it holds a backslash).
enum SimpleSample {
    static func write(
        _ line: ArraySlice<UInt8>, named name: [UInt8], valueField: UInt64, into out: inout ProtobufWriter
    ) {
        guard let sample = SampleLine(line), sample.name.elementsEqual(name) else { return }
        let labels = sample.labels
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
        out.double(1, sample.value)
    }
}

/// A histogram series gathered from its `_bucket`, `_sum` and `_count` lines.
struct HistogramSeries {
    let labels: [(String, String)]
    var buckets: [(bound: Double, count: Double)] = []
    var sum = 0.0
    var count = 0.0

    /// Lines of one family, series by series in page order (a series' lines are together, as rendered).
    static func group(_ samples: [SampleLine], family: String) -> [HistogramSeries] {
        var series: [HistogramSeries] = []
        var keys: [[String]] = []
        let (bucket, sum, count) = (
            Array((family + "_bucket").utf8), Array((family + "_sum").utf8), Array((family + "_count").utf8)
        )
        for sample in samples {
            let labels = sample.labels.filter { !$0.name.elementsEqual("le".utf8) }.map {
                (String(decoding: $0.name, as: UTF8.self), String(decoding: $0.value, as: UTF8.self))
            }
            let key = labels.flatMap { [$0.0, $0.1] }
            if keys.last != key {
                keys.append(key)
                series.append(HistogramSeries(labels: labels))
            }
            if sample.name.elementsEqual(bucket) {
                let bound = sample.label("le").map { $0 == "+Inf" ? Double.infinity : Double($0) }
                if let bound = bound ?? nil { series[series.count - 1].buckets.append((bound, sample.value)) }
            } else if sample.name.elementsEqual(sum) {
                series[series.count - 1].sum = sample.value
            } else if sample.name.elementsEqual(count) {
                series[series.count - 1].count = sample.value
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
