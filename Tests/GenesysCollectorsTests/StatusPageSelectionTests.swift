import Testing

@testable import GenesysAuth
@testable import GenesysBase
@testable import GenesysCollectors
@testable import GenesysJSON

@Suite("Status page: the org's region, the selected components and the summary's untrusted values")
struct StatusPageSelectionTests {
    static func summary(_ text: String) throws -> StatusPageSummary {
        try StatusPageSummary(JSONParser.document(Array(text.utf8)))
    }

    /// Two groups of two components and one ungrouped component.
    static let page = """
        {"page": {"id": "p"}, "status": {"indicator": "minor"}, "components": [
          {"id": "g1", "name": "Americas (US East)", "status": "partial_outage", "group": true, "group_id": null,
           "components": ["c1", "c2"]},
          {"id": "c1", "name": "Analytics", "status": "operational", "group": false, "group_id": "g1"},
          {"id": "c2", "name": "Routing", "status": "partial_outage", "group": false, "group_id": "g1"},
          {"id": "g2", "name": "Americas (São Paulo)", "status": "operational", "group": true, "components": ["c3"]},
          {"id": "c3", "name": "Analytics", "status": "operational", "group_id": "g2"},
          {"id": "c4", "name": "Genesys AppFoundry", "status": "operational", "group": false}
        ], "incidents": []}
        """

    @Test(arguments: [
        ("https://api.mypurecloud.com", "Americas (US East)"),
        ("https://api.mypurecloud.de", "EMEA (Frankfurt)"),
        ("https://api.mypurecloud.ie", "EMEA (Dublin)"),
        ("https://api.euw2.pure.cloud", "EMEA (London)"),
        ("https://api.usw2.pure.cloud", "Americas (US West)"),
        ("https://api.mypurecloud.com.au", "Asia Pacific (Sydney)"),
        ("https://api.mypurecloud.jp", "Asia Pacific (Tokyo)"),
        ("https://api.cac1.pure.cloud", "Americas (Canada)"),
        ("https://api.sae1.pure.cloud", "Americas (São Paulo)"),
    ])
    func test_regionGroup_followsTheAPIHost(apiBaseURL: String, group: String) {
        #expect(StatusPageCollector.regionGroup(apiBaseURL: apiBaseURL) == group)
    }

    @Test func test_regionGroup_isNil_forHostsNamingNoRegion() {
        #expect(StatusPageCollector.regionGroup(apiBaseURL: "http://127.0.0.1:8080") == nil)
        #expect(StatusPageCollector.regionGroup(apiBaseURL: "https://genesys-proxy.example.com") == nil)
    }

    @Test func test_everyKnownRegion_butTheSovereignCloud_hasAGroup() {
        let missing = GenesysRegion.all.filter { StatusPageCollector.regionGroups[$0.awsRegion] == nil }
        #expect(missing.map(\.awsRegion) == ["eusc-de-east-1"])
    }

    @Test func test_names_matchIgnoringCaseAccentsAndSpaces() {
        #expect(StatusPageCollector.foldedName("Americas (São Paulo)") == "americas (sao paulo)")
        #expect(StatusPageCollector.foldedName("  EMEA   (Zürich) ") == "emea (zurich)")
    }

    @Test func test_aGroupsName_selectsItsMembers_notTheGroup() throws {
        let selection = StatusPageCollector.select(try Self.summary(Self.page), names: ["americas (us east)"])
        #expect(selection.components.map(\.component.id) == ["c1", "c2"])
        #expect(selection.components.allSatisfy { $0.group == "Americas (US East)" })
        #expect(selection.componentIDs == ["g1", "c1", "c2"])
        let accented = StatusPageCollector.select(try Self.summary(Self.page), names: ["Americas (Sao Paulo)"])
        #expect(accented.components.map(\.component.id) == ["c3"])
    }

    @Test func test_componentNames_andStar_select() throws {
        let summary = try Self.summary(Self.page)
        let named = StatusPageCollector.select(summary, names: ["Genesys AppFoundry"])
        #expect(named.components.map(\.component.id) == ["c4"])
        #expect(named.components.first?.group == "")
        #expect(
            StatusPageCollector.select(summary, names: ["Analytics"]).components.map(\.component.id) == ["c3", "c1"])
        #expect(StatusPageCollector.select(summary, names: ["*"]).components.count == 4)
        #expect(StatusPageCollector.select(summary, names: ["EMEA (Frankfurt)"]).components.isEmpty)
    }

    @Test func test_selection_isCappedInNameOrder() throws {
        let members = (0..<150).map { #"{"id": "c\#($0)", "name": "C\#(1000 + $0)", "group_id": "g"}"# }
        let text =
            #"{"page": {}, "components": [{"id": "g", "name": "G", "group": true}, "#
            + members.joined(separator: ",") + "]}"
        let selection = StatusPageCollector.select(try Self.summary(text), names: ["G"])
        #expect(selection.components.count == StatusPageCollector.mostComponents)
        #expect(selection.dropped == 50)
        #expect(selection.components.first?.component.name == "C1000")
    }

    @Test func test_unknownValues_becomeUnknown_andIncidentsCountEveryImpact() throws {
        #expect(StatusPageValues.label("exploding", StatusPageValues.componentStatuses) == "unknown")
        #expect(StatusPageValues.label(nil, StatusPageValues.impacts) == "unknown")
        let incidents = try Self.summary(
            """
            {"page": {}, "incidents": [
              {"id": "i1", "status": "investigating", "impact": "major", "components": [{"id": "c1"}]},
              {"id": "i2", "status": "monitoring", "impact": "minor", "components": [{"id": "elsewhere"}]},
              {"id": "i3", "status": "postmortem", "impact": "critical"},
              {"id": "i4", "impact": "cosmic", "components": null}
            ]}
            """
        ).incidents
        let series = StatusPageCollector.incidentSeries(incidents, concerning: ["c1"])
        let counts = Dictionary(uniqueKeysWithValues: series.map { ($0.labels[0].1, $0.value) })
        #expect(counts == ["none": 0, "minor": 0, "major": 1, "critical": 0, "unknown": 1])
    }

    @Test func test_hostileValues_areCutOrRefused() throws {
        let long = String(repeating: "é", count: 5000)
        let summary = try Self.summary(#"{"page": {}, "components": [{"id": "x", "name": "\#(long)"}]}"#)
        #expect(summary.components.first?.name.unicodeScalars.count == StatusPageLimits.longestText)
        #expect(throws: JSONDecodingError.self) { try Self.summary(#"{"components": []}"#) }
        #expect(throws: JSONDecodingError.self) { try Self.summary(#"{"page": {}, "components": {}}"#) }
        #expect(throws: JSONDecodingError.self) {
            try Self.summary(#"{"page": {}, "components": [{"id": 7, "name": "seven"}]}"#)
        }
        #expect(throws: JSONDecodingError.self) { try Self.summary(#"{"page": {}, "status": {"indicator": 1}}"#) }
    }
}
