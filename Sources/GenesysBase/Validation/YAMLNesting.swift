/// Deep nesting costs libyaml memory for every level, and a reader walking it could recurse: YAML from outside (the
/// orgs file, the web-config file) is measured first and refused past a depth no real file comes near.
package enum YAMLNesting {
    package static let maxLevels = 64

    /// The first line nesting deeper than `maxLevels`, over-estimated from the text: open flow brackets plus the
    /// block indicators and indentation of the line (quoted text counts too, so a legitimate file stays far below).
    package static func firstLineTooDeep(_ text: String) -> Int? {
        var flow = 0
        var line = 1
        var lineDepth = 0
        var atIndent = true
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\n"):
                line += 1
                lineDepth = 0
                atIndent = true
                continue
            case UInt8(ascii: " "), UInt8(ascii: "\t"):
                if atIndent { lineDepth += 1 }
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                flow += 1
                atIndent = false
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                flow = max(0, flow - 1)
                atIndent = false
            case UInt8(ascii: "-"), UInt8(ascii: "?"), UInt8(ascii: ":"):
                lineDepth += 1
                atIndent = false
            default:
                atIndent = false
            }
            // Indentation counts one level per column, the safe side for block nesting.
            if flow + lineDepth > maxLevels * 2 || flow > maxLevels { return line }
        }
        return nil
    }
}
