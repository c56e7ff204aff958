import Testing

@testable import GenesysTelemetry

@Suite("Native histograms: schema 3 buckets, bounded count, protobuf spans")
struct NativeHistogramTests {
    /// Bucket i at schema 3 is (2^((i-1)/8), 2^(i/8)]: upper bounds belong to their bucket.
    @Test(arguments: [
        (1.0, Int32(0)), (2.0, 8), (0.5, -8), (1.0001, 1), (1.0905, 1), (1.0906, 2), (0.125, -24), (60.0, 48),
    ])
    func test_index_atSchema3(_ value: Double, _ index: Int32) {
        #expect(NativeHistogram.index(of: value, schema: 3) == index)
    }

    @Test func test_observations_landInTheirBuckets_zeroAndNegativeApart() {
        var histogram = NativeHistogram()
        for value in [0.12, 0.12, 0.13, 0.0, -0.5, 1e-40, .nan, .infinity] { histogram.observe(value) }
        #expect(histogram.schema == 3)
        #expect(histogram.zeroCount == 2, "0 and 1e-40 are within the zero threshold")
        #expect(
            histogram.positive == [
                NativeHistogram.index(of: 0.12, schema: 3): 2, NativeHistogram.index(of: 0.13, schema: 3): 1,
            ])
        #expect(histogram.negative == [-8: 1])
    }

    /// More than 160 buckets lower the schema (neighbours merge) until they fit; no observation is lost.
    @Test func test_bucketCount_isBounded_byLoweringTheSchema() {
        var histogram = NativeHistogram()
        var value = 1e-6
        var observed = 0
        while value < 1e6 {
            histogram.observe(value)
            observed += 1
            value *= 1.05
        }
        #expect(histogram.positive.count <= NativeHistogram.mostBuckets)
        #expect(histogram.schema < 3)
        #expect(histogram.positive.values.reduce(0, +) == UInt64(observed))
        // Every observation is in the bucket its value maps to at the final schema.
        value = 1e-6
        while value < 1e6 {
            let index = NativeHistogram.index(of: value, schema: histogram.schema)
            #expect(histogram.positive[index] != nil, "\(value) at schema \(histogram.schema)")
            value *= 1.05
        }
    }

    @Test func test_spans_andDeltas_asMetricsProtoWantsThem() {
        let (spans, deltas) = NativeHistogram.spans([-2: 3, -1: 1, 0: 4, 5: 4, 6: 2])
        #expect(spans.map(\.offset) == [-2, 4] && spans.map(\.length) == [3, 2])
        #expect(deltas == [3, -2, 3, 0, -2])
        #expect(NativeHistogram.spans([:]).spans.isEmpty)
    }

    /// Escaped label values are written unescaped; a line of another family (a longer name) is not this family's.
    @Test func test_labelValues_areUnescaped_andOtherNamesSkipped() {
        let page = "# TYPE g gauge\ng{site=\"a\\\"b\\\\c\\nd\"} 2.5\ng_other 1\n"
        let bytes = ProtobufExposition.page(Array(page.utf8), native: nil)
        let value = Array("a\"b\\c\nd".utf8)
        #expect(bytes.count > value.count && bytes.indices.contains { bytes[$0...].starts(with: value) })
        #expect(!bytes.indices.contains { bytes[$0...].starts(with: Array("g_other".utf8)) })
        // One metric: its one label's name appears once.
        #expect(bytes.indices.count { bytes[$0...].starts(with: Array("site".utf8)) } == 1)
    }

    @Test func test_writer_varintsAndZigzag() {
        var writer = ProtobufWriter()
        writer.varint(300)
        writer.sint64(1, -1)
        writer.sint64(1, 1)
        writer.double(2, 1.0)
        #expect(writer.bytes == [0xAC, 0x02, 0x08, 0x01, 0x08, 0x02, 0x11, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F])
        #expect(ProtobufWriter.lengthPrefix(127) == [0x7F] && ProtobufWriter.lengthPrefix(128) == [0x80, 0x01])
    }

    /// The text families as MetricFamily messages: read back field by field (a real Prometheus reads them in the
    /// end-to-end test).
    @Test func test_families_encodeNameHelpTypeAndMetrics() {
        let page = """
            # HELP genesys_polls_total Polls\\nby result.
            # TYPE genesys_polls_total counter
            genesys_polls_total{result="ok"} 3

            """
        let families = ProtobufExposition.families(ExpositionFamilies(page: Array(page.utf8), org: nil), native: nil)
        let bytes = Array(ProtobufExposition.delimitedParts(families).joined())
        let name = Array("genesys_polls_total".utf8), help = Array("Polls\nby result.".utf8)
        let label = [0x0A, 6] + Array("result".utf8) + [0x12, 2] + Array("ok".utf8)
        // Metric: label (1), counter (3) holding value (1) = 3.0.
        let metric: [UInt8] =
            [0x0A, UInt8(label.count)] + label + [0x1A, 9, 0x09, 0, 0, 0, 0, 0, 0, 0x08, 0x40]
        let message: [UInt8] =
            [0x0A, UInt8(name.count)] + name + [0x12, UInt8(help.count)] + help + [0x18, 0x00]
            + [0x22, UInt8(metric.count)] + metric
        #expect(bytes == [UInt8(message.count)] + message)
    }
}
