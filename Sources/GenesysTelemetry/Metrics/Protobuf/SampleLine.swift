/// One sample line of a text page as rendered here, `name{label="value",…} value`, read in place: the name and the
/// label names are slices of the line, and a label value is unescaped only when it holds a backslash.
struct SampleLine {
    let name: ArraySlice<UInt8>
    let labels: [(name: ArraySlice<UInt8>, value: ArraySlice<UInt8>)]
    let value: Double

    init?(_ line: ArraySlice<UInt8>) {
        guard let nameEnd = line.firstIndex(where: { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: " ") }) else {
            return nil
        }
        name = line[line.startIndex..<nameEnd]
        var labels: [(name: ArraySlice<UInt8>, value: ArraySlice<UInt8>)] = []
        var index = nameEnd
        if line[index] == UInt8(ascii: "{") {
            index += 1
            while index < line.endIndex, line[index] != UInt8(ascii: "}") {
                guard let equals = line[index...].firstIndex(of: UInt8(ascii: "=")), equals + 1 < line.endIndex,
                    line[equals + 1] == UInt8(ascii: "\"")
                else { return nil }
                var cursor = equals + 2
                var escaped = false
                while cursor < line.endIndex, line[cursor] != UInt8(ascii: "\"") {
                    if line[cursor] == UInt8(ascii: "\\") {
                        escaped = true
                        cursor += 1
                    }
                    cursor += 1
                }
                guard cursor < line.endIndex else { return nil }
                let raw = line[(equals + 2)..<cursor]
                labels.append((line[index..<equals], escaped ? ArraySlice(Self.unescaped(raw)) : raw))
                index = cursor + 1
                if index < line.endIndex, line[index] == UInt8(ascii: ",") { index += 1 }
            }
            index += 1
        }
        guard index < line.endIndex, line[index] == UInt8(ascii: " ") else { return nil }
        let text = String(decoding: line[(index + 1)...].prefix { $0 != UInt8(ascii: " ") }, as: UTF8.self)
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

    /// The label's value as text, nil when the line has no such label.
    func label(_ wanted: String) -> String? {
        labels.first { $0.name.elementsEqual(wanted.utf8) }.map { String(decoding: $0.value, as: UTF8.self) }
    }

    /// Text escaped as the text format escapes label values and `# HELP` (`\\`, `\"`, `\n`) back to itself.
    static func unescaped(_ raw: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
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
