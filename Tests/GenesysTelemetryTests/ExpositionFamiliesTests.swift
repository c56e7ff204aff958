import GenesysTelemetry
import Testing

@Suite("Merging orgs' pages: one family block each, every sample labelled with its org")
struct ExpositionFamiliesTests {
    static let pageA = """
        # HELP genesys_up 1 when up.
        # TYPE genesys_up gauge
        genesys_up 1
        # HELP genesys_api_requests_total Requests.
        # TYPE genesys_api_requests_total counter
        genesys_api_requests_total{endpoint="/a",code="200"} 3
        # HELP genesys_token_refresh_duration_seconds Latency.
        # TYPE genesys_token_refresh_duration_seconds histogram
        genesys_token_refresh_duration_seconds_bucket{le="0.1"} 1
        genesys_token_refresh_duration_seconds_bucket{le="+Inf"} 1
        genesys_token_refresh_duration_seconds_sum 0.05
        genesys_token_refresh_duration_seconds_count 1

        """
    static let pageB = """
        # HELP genesys_api_requests_total Requests.
        # TYPE genesys_api_requests_total counter
        genesys_api_requests_total{endpoint="/b",code="429"} 1
        # HELP genesys_up 1 when up.
        # TYPE genesys_up gauge
        genesys_up 0
        # HELP genesys_empty_labels Odd but valid.
        # TYPE genesys_empty_labels gauge
        genesys_empty_labels{} 2

        """

    @Test func test_merge_groupsFamilies_andLabelsEverySampleWithItsOrg() {
        let merged = String(
            decoding: ExpositionFamilies.merge([
                ExpositionFamilies(page: Array(Self.pageA.utf8), org: "acme"),
                ExpositionFamilies(page: Array(Self.pageB.utf8), org: "beta"),
            ]), as: UTF8.self)
        #expect(
            merged == """
                # HELP genesys_up 1 when up.
                # TYPE genesys_up gauge
                genesys_up{org="acme"} 1
                genesys_up{org="beta"} 0
                # HELP genesys_api_requests_total Requests.
                # TYPE genesys_api_requests_total counter
                genesys_api_requests_total{org="acme",endpoint="/a",code="200"} 3
                genesys_api_requests_total{org="beta",endpoint="/b",code="429"} 1
                # HELP genesys_token_refresh_duration_seconds Latency.
                # TYPE genesys_token_refresh_duration_seconds histogram
                genesys_token_refresh_duration_seconds_bucket{org="acme",le="0.1"} 1
                genesys_token_refresh_duration_seconds_bucket{org="acme",le="+Inf"} 1
                genesys_token_refresh_duration_seconds_sum{org="acme"} 0.05
                genesys_token_refresh_duration_seconds_count{org="acme"} 1
                # HELP genesys_empty_labels Odd but valid.
                # TYPE genesys_empty_labels gauge
                genesys_empty_labels{org="beta"} 2

                """)
    }

    /// The plain fleet page is built org by org into one set of families: the same bytes as merging them all at once.
    @Test func test_absorbingOrgByOrg_givesTheMergedPage() {
        let parts = [
            ExpositionFamilies(page: Array(Self.pageA.utf8), org: nil),
            ExpositionFamilies(page: Array(Self.pageB.utf8), org: "b"),
            ExpositionFamilies(page: Array(Self.pageA.utf8), org: "c"),
        ]
        var absorbed = parts[0]
        for part in parts.dropFirst() { absorbed.absorb(part) }
        #expect(Array(absorbed.parts().joined()) == ExpositionFamilies.merge(parts))
    }

    @Test func test_withoutAnOrg_thePageIsUnchanged() {
        let page = Array(Self.pageA.utf8)
        #expect(ExpositionFamilies.merge([ExpositionFamilies(page: page, org: nil)]) == page)
    }
}
