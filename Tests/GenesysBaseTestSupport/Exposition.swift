/// A parsed Prometheus text exposition (format 0.0.4), enough to assert on a scrape.
package struct Exposition: Sendable {
    package struct Sample: Sendable, Equatable {
        package let name: String
        package let labels: [String: String]
        package let value: Double
    }

    package let samples: [Sample]
    package let types: [String: String]
    package let helps: [String: String]

    package struct ParseError: Error, CustomStringConvertible {
        package let line: String
        package var description: String { "cannot parse exposition line: \(line)" }
    }

    package static func parse(_ text: String) throws -> Exposition {
        var samples: [Sample] = []
        var types: [String: String] = [:]
        var helps: [String: String] = [:]
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ", maxSplits: 3)
                if parts.count == 4 { types[String(parts[2])] = String(parts[3]) }
                continue
            }
            if line.hasPrefix("# HELP ") {
                let parts = line.split(separator: " ", maxSplits: 3)
                if parts.count >= 3 { helps[String(parts[2])] = parts.count == 4 ? String(parts[3]) : "" }
                continue
            }
            if line.hasPrefix("#") || line.isEmpty { continue }
            samples.append(try parseSample(String(line)))
        }
        return Exposition(samples: samples, types: types, helps: helps)
    }

    private static func parseSample(_ line: String) throws -> Sample {
        var index = line.startIndex
        while index < line.endIndex, line[index] != "{", line[index] != " " { index = line.index(after: index) }
        let name = String(line[..<index])
        var labels: [String: String] = [:]
        if index < line.endIndex, line[index] == "{" {
            index = line.index(after: index)
            while index < line.endIndex, line[index] != "}" {
                guard let equals = line[index...].firstIndex(of: "=") else { throw ParseError(line: line) }
                let key = String(line[index..<equals]).trimmingPrefix(",")
                var cursor = line.index(equals, offsetBy: 2)  // skip ="
                var value = ""
                while cursor < line.endIndex, line[cursor] != "\"" {
                    if line[cursor] == "\\" {
                        cursor = line.index(after: cursor)
                        switch line[cursor] {
                        case "n": value.append("\n")
                        default: value.append(line[cursor])
                        }
                    } else {
                        value.append(line[cursor])
                    }
                    cursor = line.index(after: cursor)
                }
                labels[String(key)] = value
                index = line.index(after: cursor)
                if index < line.endIndex, line[index] == "," { index = line.index(after: index) }
            }
            index = line.index(after: index)
        }
        let rest = line[index...].split(separator: " ")
        guard let first = rest.first,
            let value = Double(first == "+Inf" ? "inf" : first == "-Inf" ? "-inf" : String(first))
        else {
            throw ParseError(line: line)
        }
        return Sample(name: name, labels: labels, value: value)
    }

    /// Samples of one metric whose labels include all of `matching`.
    package func samples(_ name: String, _ matching: [String: String] = [:]) -> [Sample] {
        samples.filter { sample in sample.name == name && matching.allSatisfy { sample.labels[$0.key] == $0.value } }
    }

    /// The value of the one sample of `name` matching the labels, or nil when absent.
    package func value(_ name: String, _ matching: [String: String] = [:]) -> Double? {
        samples(name, matching).first?.value
    }
}
