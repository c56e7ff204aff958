import GenesysTelemetry
import Testing

@Suite("Compact per-queue series")
struct SeriesTablesTests {
    private func page(_ tables: SeriesTables) -> String {
        var buffer: [UInt8] = []
        tables.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    @Test func test_gaugeFamily_rendersHelpTypeAndEscapedLabels_andReplacesItsSeries() {
        let tables = SeriesTables()
        let family = tables.register(name: "genesys_queue_members", help: #"Members \ of a queue"#, kind: .gauge)
        #expect(page(tables) == "", "a family without series renders nothing")
        tables.replace(
            family,
            with: [
                ([("queue_id", "q1"), ("queue_name", "Sales \"EU\"\nline \\ 2")], 3),
                ([("queue_id", "q2"), ("queue_name", "Support")], 0.25),
            ])
        #expect(
            page(tables) == """
                # HELP genesys_queue_members Members \\\\ of a queue
                # TYPE genesys_queue_members gauge
                genesys_queue_members{queue_id="q1",queue_name="Sales \\"EU\\"\\nline \\\\ 2"} 3
                genesys_queue_members{queue_id="q2",queue_name="Support"} 0.25

                """)
        tables.replace(family, with: [([("queue_id", "q2"), ("queue_name", "Support")], 7)])
        #expect(page(tables).contains("q1") == false, "a queue gone from the poll is gone from the page")
        #expect(tables.count(family) == 1)
    }

    @Test func test_repeatedLabels_makeOneSeries_andARepeatedNameOneFamily() {
        let tables = SeriesTables()
        let family = tables.register(name: "g", help: "G.", kind: .gauge)
        #expect(tables.register(name: "g", help: "G.", kind: .gauge) == family)
        tables.replace(family, with: [([("queue_id", "q1")], 1), ([("queue_id", "q2")], 2), ([("queue_id", "q1")], 3)])
        #expect(tables.count(family) == 2)
        #expect(page(tables) == "# HELP g G.\n# TYPE g gauge\ng{queue_id=\"q1\"} 3\ng{queue_id=\"q2\"} 2\n")
    }

    /// The same series again overwrite their values in place; any other list (reordered, shorter, longer, a repeat)
    /// rebuilds the family, with the same page as a family built from scratch.
    @Test func test_replace_sameSeriesOverwriteValues_andAnyOtherListRebuilds() {
        let q = (0..<4).map { [("queue_id", "q\($0)")] }
        let lists: [[(labels: [(String, String)], value: Double)]] = [
            [(q[0], 1), (q[1], 2), (q[2], 3)],
            [(q[0], 4), (q[1], 5), (q[2], 6)],
            [(q[2], 7), (q[0], 8), (q[1], 9)],
            [(q[2], 10), (q[0], 11)],
            [(q[2], 12), (q[0], 13), (q[3], 14)],
            [(q[2], 15), (q[0], 16), (q[3], 17), (q[0], 18)],
            [(q[2], 19), (q[0], 20), (q[3], 21)],
            [],
        ]
        let tables = SeriesTables()
        let family = tables.register(name: "g", help: "G.", kind: .gauge)
        for list in lists {
            tables.replace(family, with: list)
            let fresh = SeriesTables()
            fresh.replace(fresh.register(name: "g", help: "G.", kind: .gauge), with: list)
            #expect(page(tables) == page(fresh), "\(list.map(\.value))")
        }
    }

    /// A layout published again writes only values; a new layout, a repeated label set in it, or a publication by
    /// labels in between give the page a family built from scratch gives.
    @Test func test_layout_samePublicationWritesValues_andAnythingElseRebuilds() {
        let q = (0..<3).map { [("queue_id", "q\($0)")] }
        let first = SeriesLayout([q[0], q[1], q[2]])
        let repeated = SeriesLayout([q[2], q[0], q[2]])
        let tables = SeriesTables()
        let family = tables.register(name: "g", help: "G.", kind: .gauge)
        func expectFresh(_ list: [(labels: [(String, String)], value: Double)], _ note: String) {
            let fresh = SeriesTables()
            fresh.replace(fresh.register(name: "g", help: "G.", kind: .gauge), with: list)
            #expect(page(tables) == page(fresh), "\(note)")
        }
        tables.replace(family, layout: first, values: [1, 2, 3])
        expectFresh([(q[0], 1), (q[1], 2), (q[2], 3)], "the first publication")
        tables.replace(family, layout: first, values: [4, 5, 6])
        expectFresh([(q[0], 4), (q[1], 5), (q[2], 6)], "the same layout again")
        tables.replace(family, layout: repeated, values: [7, 8, 9])
        expectFresh([(q[2], 9), (q[0], 8)], "a repeated label set: one series, the last value")
        tables.replace(family, layout: repeated, values: [10, 11, 12])
        expectFresh([(q[2], 12), (q[0], 11)], "the repeated layout again")
        tables.replace(family, with: [(q[1], 13)])
        tables.replace(family, layout: repeated, values: [14, 15, 16])
        expectFresh([(q[2], 16), (q[0], 15)], "a layout after a publication by labels")
        tables.replace(family, layout: first, values: [17, 18])
        expectFresh([(q[0], 17), (q[1], 18)], "values fewer than the layout's label sets")
    }

    /// Only the label sets with a value have series; the same layout with other values present, a repeated label
    /// set, and the numbers renewed by a compaction all give the page of a family built from scratch.
    @Test func test_layoutWithAbsentValues_publishesOnlyThePresentOnes() {
        let q = (0..<3).map { [("queue_id", "q\($0)")] }
        let layout = SeriesLayout([q[0], q[1], q[2], q[1]])
        let tables = SeriesTables()
        let family = tables.register(name: "g", help: "G.", kind: .gauge)
        let cases: [([Double?], [(labels: [(String, String)], value: Double)])] = [
            ([1, nil, 3, nil], [(q[0], 1), (q[2], 3)]),
            ([nil, 2, nil, 4], [(q[1], 4)]),
            ([5, 6, 7, 8], [(q[0], 5), (q[1], 8), (q[2], 7)]),
            ([nil, nil, nil, nil], []),
        ]
        for (values, expected) in cases {
            tables.replace(family, layout: layout, present: values)
            let fresh = SeriesTables()
            fresh.replace(fresh.register(name: "g", help: "G.", kind: .gauge), with: expected)
            #expect(page(tables) == page(fresh), "\(values)")
        }
        // Many other label sets force a compaction of the label table: the layout is numbered again.
        let other = tables.register(name: "h", help: "H.", kind: .gauge)
        for round in 0..<3 {
            tables.replace(other, with: (0..<300).map { ([("queue_id", "r\(round)-\($0)")], 1) })
        }
        tables.replace(family, layout: layout, present: [9, nil, nil, nil])
        #expect(page(tables).contains("g{queue_id=\"q0\"} 9\n"))
        #expect(!page(tables).contains("g{queue_id=\"q1\"}"))
    }

    /// Families published over one layout share its numbering: each still writes its own values, a family moved to
    /// another layout leaves the others theirs, and flat label values give the label sets given one by one.
    @Test func test_familiesOverOneLayout_eachKeepTheirOwnValues() {
        let layout = SeriesLayout(
            names: ["queue_id", "media_type"], values: ["q0", "voice", "q0", "chat", "q1", "voice"])
        let sets = [
            [("queue_id", "q0"), ("media_type", "voice")], [("queue_id", "q0"), ("media_type", "chat")],
            [("queue_id", "q1"), ("media_type", "voice")],
        ]
        let tables = SeriesTables()
        let waiting = tables.register(name: "w", help: "W.", kind: .gauge)
        let oldest = tables.register(name: "o", help: "O.", kind: .gauge)
        func expectFresh(
            _ w: [(labels: [(String, String)], value: Double)], _ o: [(labels: [(String, String)], value: Double)],
            _ note: String
        ) {
            let fresh = SeriesTables()
            fresh.replace(fresh.register(name: "w", help: "W.", kind: .gauge), with: w)
            fresh.replace(fresh.register(name: "o", help: "O.", kind: .gauge), with: o)
            #expect(page(tables) == page(fresh), "\(note)")
        }
        tables.replace(waiting, layout: layout, values: [1, 2, 3])
        tables.replace(oldest, layout: layout, present: [nil, 5, 6])
        expectFresh(
            [(sets[0], 1), (sets[1], 2), (sets[2], 3)], [(sets[1], 5), (sets[2], 6)], "one layout, two families")
        tables.replace(waiting, layout: layout, values: [7, 8, 9])
        expectFresh([(sets[0], 7), (sets[1], 8), (sets[2], 9)], [(sets[1], 5), (sets[2], 6)], "values written again")
        let smaller = SeriesLayout([sets[2]])
        tables.replace(oldest, layout: smaller, present: [4])
        tables.replace(waiting, layout: layout, values: [1, 1, 1])
        expectFresh([(sets[0], 1), (sets[1], 1), (sets[2], 1)], [(sets[2], 4)], "one family on another layout")
    }

    /// Families given every value of a layout without repeated label sets share its label arrays: writing one
    /// family's values, and renumbering all of them in a compaction, leaves the others' values as they were. The
    /// layout's labels may come from a function rather than a flat array.
    @Test func test_familiesSharingALayoutsLabels_writeTheirValuesApart() {
        let queues = ["q0", "q1", "q2"]
        let layout = SeriesLayout(names: ["queue_id"], count: queues.count) { position, _ in queues[position] }
        let tables = SeriesTables()
        let waiting = tables.register(name: "w", help: "W.", kind: .gauge)
        let alerting = tables.register(name: "a", help: "A.", kind: .gauge)
        func expectPage(_ w: [Double], _ a: [Double], _ note: String) {
            let fresh = SeriesTables()
            let pairs = { (values: [Double]) in zip(queues, values).map { ([("queue_id", $0)], $1) } }
            fresh.replace(fresh.register(name: "w", help: "W.", kind: .gauge), with: pairs(w))
            fresh.replace(fresh.register(name: "a", help: "A.", kind: .gauge), with: pairs(a))
            #expect(page(tables) == page(fresh), "\(note)")
        }
        tables.replace(waiting, layout: layout, values: [1, 2, 3])
        tables.replace(alerting, layout: layout, values: [4, 5, 6])
        expectPage([1, 2, 3], [4, 5, 6], "two families over one layout")
        tables.replace(waiting, layout: layout, values: [7, 8, 9])
        expectPage([7, 8, 9], [4, 5, 6], "one family's values written over")
        let other = tables.register(name: "h", help: "H.", kind: .gauge)
        for round in 0..<3 {
            tables.replace(other, with: (0..<300).map { ([("queue_id", "r\(round)-\($0)")], 1) })
        }
        tables.replace(other, with: [])
        tables.replace(alerting, layout: layout, values: [10, 11, 12])
        expectPage([7, 8, 9], [10, 11, 12], "after a compaction renumbered the labels")
    }

    @Test func test_counterFamily_addsToExistingSeries_createsNewOnes_andKeepsOnlySelectedQueues() {
        let tables = SeriesTables()
        let offered = tables.register(name: "genesys_queue_offered_total", help: "Offered.", kind: .counter)
        let voice = [("queue_id", "q1"), ("queue_name", "Sales"), ("media_type", "voice")]
        let chat = [("queue_id", "q2"), ("queue_name", "Chat"), ("media_type", "chat")]
        tables.add(offered, [(voice, 2), (chat, 0)])
        tables.add(offered, [(voice, 3)])
        #expect(
            page(tables) == """
                # HELP genesys_queue_offered_total Offered.
                # TYPE genesys_queue_offered_total counter
                genesys_queue_offered_total{queue_id="q1",queue_name="Sales",media_type="voice"} 5
                genesys_queue_offered_total{queue_id="q2",queue_name="Chat",media_type="chat"} 0

                """)
        tables.keep(offered, label: "queue_id", in: ["q2"])
        #expect(tables.count(offered) == 1)
        #expect(!page(tables).contains("q1"))
    }

    /// Counters sharing label sets (the queue service counters) add exactly as they would one by one.
    @Test func test_countersSharingLabels_addAsEachOnItsOwn_andSkipAbsentValues() {
        let shared = SeriesTables()
        let alone = SeriesTables()
        let voice = [("queue_id", "q1"), ("queue_name", "Sales"), ("media_type", "voice")]
        let chat = [("queue_id", "q2"), ("queue_name", "Chat"), ("media_type", "chat")]
        let names = ["genesys_queue_offered_total", "genesys_queue_answered_total"]
        let sharedFamilies = names.map { shared.register(name: $0, help: "H.", kind: .counter) }
        let aloneFamilies = names.map { alone.register(name: $0, help: "H.", kind: .counter) }
        shared.add(sharedFamilies, sharing: [voice, chat], values: [[2, 0], [nil, 7]])
        shared.add(sharedFamilies, sharing: [chat, voice], values: [[1, 3], [1, nil]])
        alone.add(aloneFamilies[0], [(voice, 2), (chat, 0)])
        alone.add(aloneFamilies[1], [(chat, 7)])
        alone.add(aloneFamilies[0], [(chat, 1), (voice, 3)])
        alone.add(aloneFamilies[1], [(chat, 1)])
        #expect(page(shared) == page(alone))
        #expect(
            page(shared).contains(
                #"genesys_queue_offered_total{queue_id="q1",queue_name="Sales",media_type="voice"} 5"#))
        #expect(
            page(shared).contains(#"genesys_queue_answered_total{queue_id="q2",queue_name="Chat",media_type="chat"} 8"#)
        )
        #expect(shared.count(sharedFamilies[1]) == 1)
    }

    @Test func test_manyRenamedQueues_compactTheLabelTable_withoutChangingAnySeries() {
        let tables = SeriesTables()
        let gauge = tables.register(name: "g", help: "G.", kind: .gauge)
        let counter = tables.register(name: "c_total", help: "C.", kind: .counter)
        tables.add(counter, [([("queue_id", "kept")], 1)])
        // Every round renames 50 queues: thousands of pairs pass through, far past the compaction threshold.
        for round in 0..<100 {
            tables.replace(
                gauge, with: (0..<50).map { ([("queue_id", "q\($0)"), ("queue_name", "name \(round)")], 1) })
        }
        tables.add(counter, [([("queue_id", "kept")], 1)])
        let text = page(tables)
        #expect(text.contains(#"g{queue_id="q49",queue_name="name 99"} 1"#))
        #expect(!text.contains("name 98"))
        #expect(text.contains(#"c_total{queue_id="kept"} 2"#), "the counter's labels survive every compaction")
    }

    /// Rows are found by their label numbers packed in one integer (up to three) or as a list (more): label sets of
    /// different lengths that share numbers, and sets of four or more, stay distinct series that add up separately.
    @Test func test_labelSetsOfEveryLength_stayDistinctSeries_whenAddedAndReplaced() {
        let tables = SeriesTables()
        let counter = tables.register(name: "c_total", help: "C.", kind: .counter)
        let pairs = (0..<6).map { ("l\($0)", "v\($0)") }
        let sets: [[(String, String)]] = [
            [], [pairs[5]], [pairs[0], pairs[5]], Array(pairs[0...2]), Array(pairs[0...3]),
        ]
        for _ in 0..<3 { tables.add(counter, sets.map { ($0, 1) }) }
        #expect(tables.count(counter) == sets.count)
        let text = page(tables)
        #expect(text.contains("c_total 3\n"))
        #expect(text.contains(#"c_total{l5="v5"} 3"#))
        #expect(text.contains(#"c_total{l0="v0",l5="v5"} 3"#))
        #expect(text.contains(#"c_total{l0="v0",l1="v1",l2="v2",l3="v3"} 3"#))
        let gauge = tables.register(name: "g", help: "G.", kind: .gauge)
        tables.replace(gauge, with: sets.map { ($0, 2) } + sets.map { ($0, 4) })
        #expect(tables.count(gauge) == sets.count, "a repeated label set is one series with the last value")
    }

    @Test(arguments: [
        (3.0, "3"), (-2.0, "-2"), (0.5, "0.5"), (1e20, "1e+20"), (Double.infinity, "+Inf"),
        (-Double.infinity, "-Inf"), (Double.nan, "NaN"), (1_795_751_400.123, "1795751400.123"),
    ])
    func test_sampleValues_areWrittenAsTheTextFormatReadsThem(_ value: Double, _ expected: String) {
        var buffer: [UInt8] = []
        SampleValue.emit(value, into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == expected)
    }
}

extension SeriesLayout {
    /// The label sets one by one, as the tests write them; every one has the first one's names.
    fileprivate convenience init(_ labels: [[(String, String)]]) {
        precondition(labels.allSatisfy { $0.map(\.0) == labels.first?.map(\.0) }, "one layout, one set of names")
        self.init(names: labels.first?.map(\.0) ?? [], values: labels.flatMap { $0.map(\.1) })
    }
}
