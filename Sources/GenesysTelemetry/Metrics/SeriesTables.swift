import Synchronization

/// The high-cardinality families of one store (per-queue gauges and counters), kept compact and rendered in the
/// text format after the store's swift-prometheus registry.
///
/// Why not swift-prometheus for these: it keeps an object per series with its labels and a pre-rendered line, about a
/// kilobyte each, and a multi-org exporter holds hundreds of thousands of per-queue series. Here a series is a row of
/// label numbers and a value (about 30 bytes); each distinct label pair (`queue_id="…"`) is kept once per store.
package final class SeriesTables: Sendable {
    package enum Kind: String, Sendable {
        case gauge
        case counter
    }

    private let state = Mutex(State())

    package init() {}

    /// Adds a family (rendered in registration order); returns its number for the other calls. A name registered
    /// again gets the same family, so a page never holds one family twice.
    package func register(name: String, help: String, kind: Kind) -> Int {
        state.withLock { state in
            if let existing = state.families.firstIndex(where: { $0.name == name }) { return existing }
            state.families.append(Family(name: name, help: help, kind: kind))
            return state.families.count - 1
        }
    }

    /// Replaces every series of `family` with `series` (a gauge family's whole current state). Labels given twice
    /// (a queue listed on two pages while the org changed) make one series with the last value.
    package func replace(_ family: Int, with series: [(labels: [(String, String)], value: Double)]) {
        state.withLock { state in
            // Rebuilt at every poll. Writing the values over the old rows when the labels repeat was tried: the same
            // CPU, and the 200-org benchmark ended higher (160.5, 166.8, 170.9 MiB against 143.6, 156.2), likely as
            // each org's first tables stayed pinned where the startup's polls had put them.
            var rows = Rows()
            rows.reserve(series.count, labels: series.first?.labels.count ?? 0)
            var seen: [RowKey: Int] = [:]
            seen.reserveCapacity(series.count)
            var previous = PreviousLabels()
            for entry in series {
                let ids = state.pairs.ids(of: entry.labels, after: &previous)
                if let row = seen[RowKey(ids)] {
                    rows.values[row] = entry.value
                } else {
                    seen[RowKey(ids)] = rows.count
                    rows.append(ids, value: entry.value)
                }
            }
            state.families[family].rows = rows
            state.families[family].rowOfPosition = nil
            state.compactIfWasteful()
        }
    }

    /// Replaces every series of `family` with `layout`'s label sets and `values` (one per label set, in order). Given
    /// the same layout as last time, only the values are written: a streaming collector publishing every second
    /// numbers its labels once, not at each publication.
    package func replace(_ family: Int, layout: SeriesLayout, values: [Double]) {
        state.withLock { state in
            if state.families[family].overwrite(layout, values) { return }
            state.number(family, layout)
            state.families[family].build(values.lazy.map { Optional($0) })
            state.compactIfWasteful()
        }
    }

    /// Replaces every series of `family` with those of `layout`'s label sets that have a value (nil: no series), in
    /// its order: a family whose series come and go with the values (the oldest waiting conversation), written
    /// from labels numbered once per layout.
    package func replace(_ family: Int, layout: SeriesLayout, present values: [Double?]) {
        state.withLock { state in
            state.number(family, layout)
            state.families[family].build(values)
            state.families[family].rowOfPosition = nil
            state.compactIfWasteful()
        }
    }

    /// Adds each increment to the series with its labels, creating the series at the increment the first time.
    package func add(_ family: Int, _ increments: [(labels: [(String, String)], value: Double)]) {
        state.withLock { state in
            var previous = PreviousLabels()
            let labelIDs = increments.map { entry in state.pairs.ids(of: entry.labels, after: &previous) }
            // Modified in place: a copy of the family's rows would copy its arrays on the first write.
            state.families[family].rows.add(labelIDs, increments.lazy.map(\.value))
            state.families[family].rowOfPosition = nil
            state.compactIfWasteful()
        }
    }

    /// Adds increments to families whose series share label sets (`values[n][i]` goes to `families[n]`'s series with
    /// `labels[i]`; nil adds nothing): each label set is numbered once, not once per family.
    package func add(_ families: [Int], sharing labels: [[(String, String)]], values: [[Double?]]) {
        state.withLock { state in
            var previous = PreviousLabels()
            let labelIDs = labels.map { state.pairs.ids(of: $0, after: &previous) }
            for (family, familyValues) in zip(families, values) {
                let present = familyValues.indices.filter { familyValues[$0] != nil }
                state.families[family].rows.add(present.map { labelIDs[$0] }, present.lazy.map { familyValues[$0]! })
                state.families[family].rowOfPosition = nil
            }
            state.compactIfWasteful()
        }
    }

    /// Sets each series with its labels to its value, creating it the first time; other series keep theirs.
    package func set(_ family: Int, _ series: [(labels: [(String, String)], value: Double)]) {
        state.withLock { state in
            var previous = PreviousLabels()
            let labelIDs = series.map { entry in state.pairs.ids(of: entry.labels, after: &previous) }
            state.families[family].rows.add(labelIDs, series.lazy.map(\.value), replacing: true)
            state.families[family].rowOfPosition = nil
            state.compactIfWasteful()
        }
    }

    /// Drops every series of `family` whose `label` value is not in `values`.
    package func keep(_ family: Int, label: String, in values: Set<String>) {
        state.withLock { state in
            let rows = state.families[family].rows
            var kept = Rows()
            var dropped = false
            for row in 0..<rows.count {
                let ids = rows.labels(of: row)
                let gone = ids.contains { id in
                    let pair = state.pairs.pair(id)
                    return pair.name == label && !values.contains(pair.value)
                }
                if gone { dropped = true } else { kept.append(Array(ids), value: rows.values[row]) }
            }
            guard dropped else { return }
            state.families[family].rows = kept
            state.families[family].rowOfPosition = nil
            state.compactIfWasteful()
        }
    }

    /// Series in `family`.
    package func count(_ family: Int) -> Int { state.withLock { $0.families[family].rows.count } }

    /// Every family that has series, in the text format.
    package func emit(into buffer: inout [UInt8]) {
        state.withLock { state in
            for family in state.families where family.rows.count > 0 {
                family.emit(into: &buffer, pairs: state.pairs)
            }
        }
    }

    private struct State {
        var pairs = LabelPairs()
        var families: [Family] = []
        /// Distinct pairs in use at the last compaction: the table is rebuilt when it grows well past that.
        var liveAtCompaction = 0

        /// Numbers `layout`'s label sets for `family`, unless they are numbered already.
        mutating func number(_ family: Int, _ layout: SeriesLayout) {
            guard families[family].numbered?.layout !== layout else { return }
            // Families published over one layout (a streaming collector's counts and oldest wait) share one
            // numbering: the pairs are the store's, so the numbers are the same.
            if let shared = families.lazy.compactMap(\.numbered).first(where: { $0.layout === layout }) {
                families[family].numbered = shared
                families[family].rowOfPosition = nil
                return
            }
            var template = Rows()
            template.reserve(layout.count, labels: layout.names.count)
            var canonical: [Int32] = []
            canonical.reserveCapacity(layout.count)
            var first: [RowKey: Int32] = [:]
            first.reserveCapacity(layout.count)
            var previous = PreviousLabels()
            for position in 0..<layout.count {
                let ids = pairs.ids(of: layout.labels(at: position), after: &previous)
                let key = RowKey(ids)
                if first[key] == nil { first[key] = Int32(position) }
                canonical.append(first[key] ?? Int32(position))
                template.append(ids, value: 0)
            }
            let distinct = canonical.enumerated().allSatisfy { $0.offset == Int($0.element) }
            families[family].numbered = NumberedLayout(
                layout: layout, template: template, canonical: canonical, distinct: distinct)
            families[family].rowOfPosition = nil
        }

        /// Pairs of queues that left, or were renamed, stay in the table until it holds over twice what is in use.
        mutating func compactIfWasteful() {
            guard pairs.count > 2 * liveAtCompaction + 256 else { return }
            var used: [Int32: Int32] = [:]
            var next = LabelPairs()
            for index in families.indices {
                // Numbered layouts hold the old numbers: numbered again at their next publication.
                families[index].numbered = nil
                families[index].rowOfPosition = nil
                families[index].rows.relabel { id in
                    if let mapped = used[id] { return mapped }
                    let mapped = next.id(of: pairs.pair(id))
                    used[id] = mapped
                    return mapped
                }
            }
            pairs = next
            liveAtCompaction = next.count
        }
    }

    private struct Family {
        let name: String
        let help: String
        let kind: Kind
        var rows = Rows()
        /// The last layout published, its labels numbered.
        var numbered: NumberedLayout?
        /// The row of each position of `numbered`'s layout, when the rows were made from all of them (so the next
        /// values of the same layout can be written over them).
        var rowOfPosition: [Int32]?

        /// Writes `values` over the rows made from `layout` last time; false when they were made otherwise.
        mutating func overwrite(_ layout: SeriesLayout, _ values: [Double]) -> Bool {
            guard numbered?.layout === layout, let rowOfPosition, values.count == rowOfPosition.count else {
                return false
            }
            for (position, value) in values.enumerated() { rows.values[Int(rowOfPosition[position])] = value }
            return true
        }

        /// Rows from the numbered layout's positions that have a value (a repeated label set: one row, the last
        /// value); remembers each position's row when every position has one.
        mutating func build(_ values: some Collection<Double?>) {
            guard let numbered else { return }
            if numbered.distinct, values.count == numbered.canonical.count, !values.contains(nil) {
                // Every position is its own row: the label numbers and the row of each position are the template's
                // arrays, shared by every family of the layout rather than copied into each.
                rows = numbered.template.with(values: values.map { $0 ?? 0 })
                rowOfPosition = numbered.canonical
                return
            }
            var built = Rows()
            built.reserve(values.count, labels: numbered.template.count > 0 ? numbered.template.labels(of: 0).count : 0)
            var rowOf = [Int32](repeating: -1, count: numbered.canonical.count)
            var complete = values.count == numbered.canonical.count
            for (position, value) in zip(numbered.canonical.indices, values) {
                guard let value else {
                    complete = false
                    continue
                }
                let first = Int(numbered.canonical[position])
                if rowOf[first] >= 0 {
                    built.values[Int(rowOf[first])] = value
                } else {
                    rowOf[first] = Int32(built.count)
                    built.append(numbered.template.labels(of: position), value: value)
                }
                rowOf[position] = rowOf[first]
            }
            rows = built
            rowOfPosition = complete ? rowOf : nil
        }

        func emit(into buffer: inout [UInt8], pairs: LabelPairs) {
            buffer.append(contentsOf: "# HELP \(name) ".utf8)
            for byte in help.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): buffer.append(contentsOf: #"\\"#.utf8)
                case UInt8(ascii: "\n"): buffer.append(contentsOf: #"\n"#.utf8)
                default: buffer.append(byte)
                }
            }
            buffer.append(contentsOf: "\n# TYPE \(name) \(kind.rawValue)\n".utf8)
            let nameBytes = Array(name.utf8)
            for row in 0..<rows.count {
                buffer.append(contentsOf: nameBytes)
                let ids = rows.labels(of: row)
                if !ids.isEmpty {
                    buffer.append(UInt8(ascii: "{"))
                    for (position, id) in ids.enumerated() {
                        if position > 0 { buffer.append(UInt8(ascii: ",")) }
                        pairs.emit(id, into: &buffer)
                    }
                    buffer.append(UInt8(ascii: "}"))
                }
                buffer.append(UInt8(ascii: " "))
                SampleValue.emit(rows.values[row], into: &buffer)
                buffer.append(UInt8(ascii: "\n"))
            }
        }
    }
}

/// The label sets of a family that a streaming collector publishes values for again and again, in a fixed order;
/// a new layout whenever the label sets change.
package final class SeriesLayout: Sendable {
    /// The label names, the same at every position.
    let names: [String]
    /// How many label sets.
    package let count: Int
    /// The value of label `names[name]` at `position`.
    private let value: @Sendable (_ position: Int, _ name: Int) -> String

    /// Label sets that all have `names`, in that order; `values` holds `names.count` values per label set.
    package convenience init(names: [String], values: [String]) {
        precondition(names.isEmpty ? values.isEmpty : values.count % names.count == 0, "values per name")
        let width = names.count
        self.init(names: names, count: width == 0 ? 0 : values.count / width) { values[$0 * width + $1] }
    }

    /// `count` label sets whose values `value(position, name)` gives, read when the tables number a new layout. A
    /// collector that keeps its entries anyway answers from them: a copy of every label as strings cost 48 bytes a
    /// series (heaptrack: 2.3 MiB over 200 streaming orgs).
    package init(names: [String], count: Int, value: @escaping @Sendable (_ position: Int, _ name: Int) -> String) {
        self.names = names
        self.count = count
        self.value = value
    }

    /// The label set at `position`.
    func labels(at position: Int) -> [(String, String)] {
        names.indices.map { (names[$0], value(position, $0)) }
    }
}

/// A layout's label sets numbered once: `template` holds each position's numbers (values unused), `canonical` the
/// first position with the same label set.
private struct NumberedLayout {
    let layout: SeriesLayout
    let template: Rows
    let canonical: [Int32]
    /// No label set repeats: `canonical` is each position itself.
    let distinct: Bool
}

/// Series as flat arrays: each row's label numbers are `labelIDs[starts[row]..<starts[row + 1]]`.
private struct Rows {
    private var labelIDs: [Int32] = []
    private var starts: [Int32] = [0]
    var values: [Double] = []

    var count: Int { values.count }

    mutating func reserve(_ rows: Int, labels: Int) {
        labelIDs.reserveCapacity(rows * labels)
        starts.reserveCapacity(rows + 1)
        values.reserveCapacity(rows)
    }

    func labels(of row: Int) -> ArraySlice<Int32> { labelIDs[Int(starts[row])..<Int(starts[row + 1])] }

    /// The same rows with other values (one per row): the label arrays are shared, not copied.
    func with(values: [Double]) -> Rows {
        precondition(values.count == count, "a value per row")
        var rows = self
        rows.values = values
        return rows
    }

    mutating func append(_ ids: some Collection<Int32>, value: Double) {
        labelIDs.append(contentsOf: ids)
        starts.append(Int32(labelIDs.count))
        values.append(value)
    }

    /// Adds each value to the row with its label numbers (or, `replacing`, sets it), appending a row the first time.
    mutating func add(_ labelIDs: [[Int32]], _ increments: some Sequence<Double>, replacing: Bool = false) {
        var index: [RowKey: Int] = [:]
        index.reserveCapacity(count)
        for row in 0..<count { index[RowKey(labels(of: row))] = row }
        for (ids, value) in zip(labelIDs, increments) {
            let key = RowKey(ids)
            if let row = index[key] {
                values[row] = replacing ? value : values[row] + value
            } else {
                index[key] = count
                append(ids, value: value)
            }
        }
    }

    mutating func relabel(_ map: (Int32) -> Int32) {
        for index in labelIDs.indices { labelIDs[index] = map(labelIDs[index]) }
    }
}

/// A row's label numbers as a dictionary key: up to three numbers below 2²⁰ (every per-queue family) packed with
/// their count in one integer, which hashes without the allocation and the per-element hashing of an array.
private enum RowKey: Hashable {
    case packed(UInt64)
    case list([Int32])

    init(_ ids: some Collection<Int32>) {
        guard ids.count <= 3, ids.allSatisfy({ $0 >= 0 && $0 < 1 << 20 }) else {
            self = .list(Array(ids))
            return
        }
        // The count leads, so [5] and [0, 5] differ: 2 bits of count and 20 bits per number fit in 62.
        var packed = UInt64(ids.count)
        for id in ids { packed = packed << 20 | UInt64(id) }
        self = .packed(packed)
    }
}

/// The labels of the last row numbered in one `replace` or `add`, with their numbers.
private struct PreviousLabels {
    var labels: [(String, String)] = []
    var ids: [Int32] = []
}

/// Each distinct label pair once, numbered.
private struct LabelPairs {
    struct Pair: Hashable {
        let name: String
        let value: String
    }

    private var pairs: [Pair] = []
    private var ids: [Pair: Int32] = [:]

    var count: Int { pairs.count }

    func pair(_ id: Int32) -> Pair { pairs[Int(id)] }

    mutating func id(of label: (String, String)) -> Int32 { id(of: Pair(name: label.0, value: label.1)) }

    /// The numbers of `labels`. A label equal to the one at the same position in the previous call reuses its number:
    /// a queue's rows come one after another, and comparing equal strings is cheaper than hashing them.
    mutating func ids(of labels: [(String, String)], after previous: inout PreviousLabels) -> [Int32] {
        var ids: [Int32] = []
        ids.reserveCapacity(labels.count)
        for (position, label) in labels.enumerated() {
            if position < previous.labels.count, previous.labels[position] == label {
                ids.append(previous.ids[position])
            } else {
                ids.append(id(of: label))
            }
        }
        previous = PreviousLabels(labels: labels, ids: ids)
        return ids
    }

    mutating func id(of pair: Pair) -> Int32 {
        if let id = ids[pair] { return id }
        let id = Int32(pairs.count)
        pairs.append(pair)
        ids[pair] = id
        return id
    }

    /// `name="value"`, the value escaped as the text format requires (backslash, double quote, line feed).
    func emit(_ id: Int32, into buffer: inout [UInt8]) {
        let pair = pairs[Int(id)]
        buffer.append(contentsOf: pair.name.utf8)
        buffer.append(contentsOf: #"=""#.utf8)
        for byte in pair.value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\""): buffer.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\n"): buffer.append(contentsOf: #"\n"#.utf8)
            default: buffer.append(byte)
            }
        }
        buffer.append(UInt8(ascii: "\""))
    }
}

/// A sample value as the text format writes it: whole numbers without a fraction (as Go's client does), others in
/// Swift's shortest round-tripping form, and `+Inf`, `-Inf`, `NaN`.
package enum SampleValue {
    package static func emit(_ value: Double, into buffer: inout [UInt8]) {
        if value.isNaN {
            buffer.append(contentsOf: "NaN".utf8)
        } else if value.isInfinite {
            buffer.append(contentsOf: (value > 0 ? "+Inf" : "-Inf").utf8)
        } else if value == value.rounded(), abs(value) < 1e15 {
            buffer.append(contentsOf: String(Int64(value)).utf8)
        } else {
            buffer.append(contentsOf: value.description.utf8)
        }
    }
}
