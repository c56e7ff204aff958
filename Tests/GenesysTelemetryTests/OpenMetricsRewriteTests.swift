import Foundation
import GenesysTelemetry
import Testing

@Suite("OpenMetrics from the text page: counter names, # UNIT, _created, # EOF")
struct OpenMetricsRewriteTests {
    static let page = """
        # HELP genesys_polls_total Polls, by result.
        # TYPE genesys_polls_total counter
        genesys_polls_total{result="ok"} 3
        genesys_polls_total{result="a \\"b\\" c"} 1
        # HELP genesys_token_age_seconds Age.
        # TYPE genesys_token_age_seconds gauge
        genesys_token_age_seconds 12.5
        # HELP genesys_api_request_duration_seconds Latency.
        # TYPE genesys_api_request_duration_seconds histogram
        genesys_api_request_duration_seconds_bucket{endpoint="/a",le="0.1"} 1
        genesys_api_request_duration_seconds_bucket{endpoint="/a",le="+Inf"} 2
        genesys_api_request_duration_seconds_sum{endpoint="/a"} 0.3
        genesys_api_request_duration_seconds_count{endpoint="/a"} 2
        # HELP process_cpu_seconds_total CPU.
        # TYPE process_cpu_seconds_total counter
        process_cpu_seconds_total 0.25
        # HELP genesys_odd_counter A counter without _total.
        # TYPE genesys_odd_counter counter
        genesys_odd_counter 4
        # HELP genesys_mystery Untyped.
        # TYPE genesys_mystery untyped
        genesys_mystery 1
        # HELP genesys_memory_ratio A ratio.
        # TYPE genesys_memory_ratio gauge
        genesys_memory_ratio 0.5

        """

    static func rewrite(_ page: String, _ created: CreatedSeries?, now: Double) -> String {
        let families = OpenMetricsRewrite.families(
            ExpositionFamilies(page: Array(page.utf8), org: nil), created: created, now: now)
        return String(decoding: Array(families.parts().joined()) + OpenMetricsRewrite.eof, as: UTF8.self)
    }

    @Test func test_families_areRenamedTypedAndUnited_andSamplesStay() {
        #expect(
            Self.rewrite(Self.page, nil, now: 0) == """
                # HELP genesys_polls Polls, by result.
                # TYPE genesys_polls counter
                genesys_polls_total{result="ok"} 3
                genesys_polls_total{result="a \\"b\\" c"} 1
                # HELP genesys_token_age_seconds Age.
                # TYPE genesys_token_age_seconds gauge
                # UNIT genesys_token_age_seconds seconds
                genesys_token_age_seconds 12.5
                # HELP genesys_api_request_duration_seconds Latency.
                # TYPE genesys_api_request_duration_seconds histogram
                # UNIT genesys_api_request_duration_seconds seconds
                genesys_api_request_duration_seconds_bucket{endpoint="/a",le="0.1"} 1
                genesys_api_request_duration_seconds_bucket{endpoint="/a",le="+Inf"} 2
                genesys_api_request_duration_seconds_sum{endpoint="/a"} 0.3
                genesys_api_request_duration_seconds_count{endpoint="/a"} 2
                # HELP process_cpu_seconds CPU.
                # TYPE process_cpu_seconds counter
                # UNIT process_cpu_seconds seconds
                process_cpu_seconds_total 0.25
                # HELP genesys_odd_counter A counter without _total.
                # TYPE genesys_odd_counter unknown
                genesys_odd_counter 4
                # HELP genesys_mystery Untyped.
                # TYPE genesys_mystery unknown
                genesys_mystery 1
                # HELP genesys_memory_ratio A ratio.
                # TYPE genesys_memory_ratio gauge
                # UNIT genesys_memory_ratio ratio
                genesys_memory_ratio 0.5
                # EOF

                """)
    }

    /// A store's own page is rewritten as it streams by: the same bytes as through its families, in OpenMetrics and
    /// in protobuf.
    @Test func test_streamingRewrite_equalsTheFamiliesRewrite() {
        let families = ExpositionFamilies(page: Array(Self.page.utf8), org: nil)
        #expect(
            OpenMetricsRewrite.page(Array(Self.page.utf8))
                == Array(OpenMetricsRewrite.families(families, created: nil, now: 0).parts().joined()))
        #expect(
            ProtobufExposition.page(Array(Self.page.utf8), native: nil)
                == Array(
                    ProtobufExposition.delimitedParts(ProtobufExposition.families(families, native: nil)).joined()))
    }

    @Test func test_created_followsEachCounterAndHistogramSeries() {
        let created = CreatedSeries(startedAt: 1_000.25)
        let page = Self.rewrite(Self.page, created, now: 1_010)
        let lines = page.split(separator: "\n").map(String.init)
        #expect(lines.count(where: { $0.contains("_created") }) == 4)
        let after = { (line: String) in lines[lines.firstIndex(of: line)! + 1] }
        #expect(after(#"genesys_polls_total{result="ok"} 3"#) == #"genesys_polls_created{result="ok"} 1000.250"#)
        #expect(
            after(#"genesys_polls_total{result="a \"b\" c"} 1"#)
                == #"genesys_polls_created{result="a \"b\" c"} 1000.250"#)
        #expect(
            after(#"genesys_api_request_duration_seconds_count{endpoint="/a"} 2"#)
                == #"genesys_api_request_duration_seconds_created{endpoint="/a"} 1000.250"#)
        #expect(after("process_cpu_seconds_total 0.25") == "process_cpu_seconds_created 1000.250")
        #expect(!page.contains("genesys_odd_counter_created") && !page.contains("genesys_token_age_seconds_created"))
    }

    /// A series keeps its first stamp; one that appears later gets the first change after the page that lacked it
    /// (never later than its first sample); one removed for long is forgotten.
    @Test func test_created_isTheEarliestMomentTheSeriesCanHaveAppeared() {
        let created = CreatedSeries(startedAt: 100)
        let first = Self.rewrite(Self.page, created, now: 110)
        #expect(first.contains(#"genesys_polls_created{result="ok"} 100.000"#))
        created.noteChange(at: 150)
        created.noteChange(at: 170)
        let grown = Self.page.replacingOccurrences(
            of: "genesys_polls_total{result=\"ok\"} 3\n",
            with: "genesys_polls_total{result=\"ok\"} 4\ngenesys_polls_total{result=\"new\"} 1\n")
        let second = Self.rewrite(grown, created, now: 200)
        #expect(second.contains(#"genesys_polls_created{result="ok"} 100.000"#), "the first stamp stays")
        #expect(
            second.contains(#"genesys_polls_created{result="new"} 150.000"#), "the first change since the last page")
        // Nothing noted since: a new series dates from the last page.
        let third = Self.rewrite(grown + "", created, now: 300)
        #expect(third.contains(#"genesys_polls_created{result="new"} 150.000"#))
        let again = grown.replacingOccurrences(
            of: "genesys_polls_total{result=\"new\"} 1\n", with: "genesys_polls_total{result=\"newer\"} 1\n")
        #expect(Self.rewrite(again, created, now: 400).contains(#"genesys_polls_created{result="newer"} 300.000"#))
    }

    @Test func test_removedSeries_areForgotten_onceTheyOutnumberTheLiveOnes() {
        let created = CreatedSeries(startedAt: 0)
        func page(_ range: Range<Int>) -> String {
            "# HELP x_total X.\n# TYPE x_total counter\n"
                + range.map { "x_total{queue=\"\($0)\"} 1\n" }.joined()
        }
        _ = Self.rewrite(page(0..<3000), created, now: 1)
        created.noteChange(at: 5)
        // The first 3,000 are gone; were they kept, queue 0 would come back with its old stamp.
        _ = Self.rewrite(page(3000..<3010), created, now: 10)
        created.noteChange(at: 20)
        #expect(Self.rewrite(page(0..<1), created, now: 30).contains(#"x_created{queue="0"} 20.000"#))
    }

    @Test(arguments: [(0.0, "0.000"), (1_733_330_000.125, "1733330000.125"), (-1.0, "0"), (Double.nan, "0")])
    func test_createdSeconds_areWrittenWithMilliseconds(_ value: Double, _ written: String) {
        let created = CreatedSeries(startedAt: value)
        #expect(Self.rewrite("# TYPE a_total counter\na_total 1\n", created, now: 0).contains("a_created \(written)\n"))
    }
}
