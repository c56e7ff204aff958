/// A parsed Prometheus text exposition (format 0.0.4; OpenMetrics reads too), enough to assert on a scrape.
///
/// Parsed as bytes, and samples are indexed by name: the end-to-end tests parse hundreds of scrapes of thousands
/// of lines each in a debug build on two cores, where a `Character` walk took a third of the whole run's CPU.
package struct Exposition: Sendable {
    package struct Sample: Sendable, Equatable {
        package let name: String
        package let labels: [String: String]
        package let value: Double
    }

    package let samples: [Sample]
    package let types: [String: String]
    package let helps: [String: String]
    /// Positions in `samples` by metric name.
    private let byName: [String: [Int]]

    package struct ParseError: Error, CustomStringConvertible {
        package let line: String
        package var description: String { "cannot parse exposition line: \(line)" }
    }

    package static func parse(_ text: String) throws -> Exposition {
        var samples: [Sample] = []
        var types: [String: String] = [:]
        var helps: [String: String] = [:]
        var byName: [String: [Int]] = [:]
        let bytes = Array(text.utf8)
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            if line.first == UInt8(ascii: "#") {
                let parts = line.split(separator: UInt8(ascii: " "), maxSplits: 3)
                guard parts.count >= 3 else { continue }
                let keyword = String(decoding: parts[1], as: UTF8.self)
                let name = String(decoding: parts[2], as: UTF8.self)
                let rest = parts.count == 4 ? String(decoding: parts[3], as: UTF8.self) : ""
                if keyword == "TYPE" && parts.count == 4 { types[name] = rest }
                if keyword == "HELP" { helps[name] = rest }
                continue
            }
            let sample = try parseSample(line)
            byName[sample.name, default: []].append(samples.count)
            samples.append(sample)
        }
        return Exposition(samples: samples, types: types, helps: helps, byName: byName)
    }

    private static func parseSample(_ line: ArraySlice<UInt8>) throws -> Sample {
        let failure = ParseError(line: String(decoding: line, as: UTF8.self))
        var index = line.startIndex
        while index < line.endIndex, line[index] != UInt8(ascii: "{"), line[index] != UInt8(ascii: " ") { index += 1 }
        let name = String(decoding: line[line.startIndex..<index], as: UTF8.self)
        var labels: [String: String] = [:]
        if index < line.endIndex, line[index] == UInt8(ascii: "{") {
            index += 1
            while index < line.endIndex, line[index] != UInt8(ascii: "}") {
                guard let equals = line[index...].firstIndex(of: UInt8(ascii: "=")), equals + 1 < line.endIndex,
                    line[equals + 1] == UInt8(ascii: "\"")
                else { throw failure }
                let key = String(decoding: line[index..<equals], as: UTF8.self)
                var cursor = equals + 2
                var value: [UInt8] = []
                while cursor < line.endIndex, line[cursor] != UInt8(ascii: "\"") {
                    if line[cursor] == UInt8(ascii: "\\") {
                        cursor += 1
                        guard cursor < line.endIndex else { throw failure }
                        value.append(line[cursor] == UInt8(ascii: "n") ? UInt8(ascii: "\n") : line[cursor])
                    } else {
                        value.append(line[cursor])
                    }
                    cursor += 1
                }
                guard cursor < line.endIndex else { throw failure }
                labels[key] = String(decoding: value, as: UTF8.self)
                index = cursor + 1
                if index < line.endIndex, line[index] == UInt8(ascii: ",") { index += 1 }
            }
            index += 1
        }
        guard index <= line.endIndex,
            let first = line[index...].split(separator: UInt8(ascii: " ")).first.map({
                String(decoding: $0, as: UTF8.self)
            }),
            let value = Double(first == "+Inf" ? "inf" : first == "-Inf" ? "-inf" : first)
        else { throw failure }
        return Sample(name: name, labels: labels, value: value)
    }

    /// Samples of one metric whose labels include all of `matching`.
    package func samples(_ name: String, _ matching: [String: String] = [:]) -> [Sample] {
        (byName[name] ?? []).lazy.map { samples[$0] }.filter { sample in
            matching.allSatisfy { sample.labels[$0.key] == $0.value }
        }
    }

    /// The value of the one sample of `name` matching the labels, or nil when absent.
    package func value(_ name: String, _ matching: [String: String] = [:]) -> Double? {
        samples(name, matching).first?.value
    }
}
