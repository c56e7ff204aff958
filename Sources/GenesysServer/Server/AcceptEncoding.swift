/// Reads a request's `Accept-Encoding` (RFC 9110 §12.5.3) for the one coding the server offers besides
/// identity. Outside bytes: anything malformed counts as not accepting gzip, never as an error.
package enum AcceptEncoding {
    /// True when `gzip` (or `x-gzip`, or `*` without a gzip entry) is listed with a non-zero weight, in any of the
    /// header's lines.
    package static func acceptsGzip(_ headerValues: [String]) -> Bool {
        var gzipWeight: Bool?
        var anyWeight: Bool?
        for value in headerValues {
            for element in value.utf8.split(separator: UInt8(ascii: ",")) {
                let fields = element.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)
                guard let name = fields.first.map(trimmed), !name.isEmpty else { continue }
                guard let accepted = weightIsNonZero(fields.dropFirst()) else { continue }
                switch String(decoding: name, as: UTF8.self).lowercased() {
                case "gzip", "x-gzip": gzipWeight = accepted
                case "*": anyWeight = accepted
                default: continue
                }
            }
        }
        return gzipWeight ?? anyWeight ?? false
    }

    /// Whether the parameters' `q` is above zero (no `q` means 1); nil when a `q` is not a valid qvalue.
    private static func weightIsNonZero(_ parameters: ArraySlice<Substring.UTF8View.SubSequence>) -> Bool? {
        var nonZero = true
        for parameter in parameters {
            let pair = parameter.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2, String(decoding: trimmed(pair[0]), as: UTF8.self).lowercased() == "q" else {
                continue
            }
            guard let weight = qvalueIsNonZero(trimmed(pair[1])) else { return nil }
            nonZero = weight
        }
        return nonZero
    }

    /// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ); nil for anything else.
    private static func qvalueIsNonZero(_ bytes: Substring.UTF8View.SubSequence) -> Bool? {
        guard let first = bytes.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1") else { return nil }
        let rest = bytes.dropFirst()
        if rest.isEmpty { return first == UInt8(ascii: "1") }
        guard rest.first == UInt8(ascii: "."), rest.count <= 4 else { return nil }
        let digits = rest.dropFirst()
        guard digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        if first == UInt8(ascii: "1") { return digits.allSatisfy { $0 == UInt8(ascii: "0") } ? true : nil }
        return digits.contains { $0 != UInt8(ascii: "0") }
    }

    private static func trimmed(_ bytes: Substring.UTF8View.SubSequence) -> Substring.UTF8View.SubSequence {
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let start = bytes.firstIndex(where: { !isSpace($0) }), let end = bytes.lastIndex(where: { !isSpace($0) })
        else {
            return bytes[bytes.startIndex..<bytes.startIndex]
        }
        return bytes[start...end]
    }
}
