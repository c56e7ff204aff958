/// Path arithmetic on plain strings (what NSString's path methods did, without full Foundation).
package enum PathText {
    /// The directory part of `path`: "/a/b" → "/a", "/b" → "/", "b" → "", "a/b/" → "a".
    package static func directory(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        var parent = trimmed[..<slash]
        while parent.hasSuffix("/") { parent.removeLast() }
        return parent.isEmpty ? "/" : String(parent)
    }
}
