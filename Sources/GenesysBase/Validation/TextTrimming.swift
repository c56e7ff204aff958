/// Trimming without Foundation's CharacterSet, for values read from files, headers and the environment.
extension String {
    /// Drops leading and trailing characters found in `characters`, compared as Unicode scalars so
    /// that "\r\n" (one Character) is trimmed by a set holding "\r" and "\n".
    package func trimming(_ characters: String) -> String {
        let set = Set(characters.unicodeScalars)
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, set.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, set.contains(last) { scalars.removeLast() }
        return String(scalars)
    }

    /// Drops leading and trailing Unicode white space, line breaks included (Foundation's
    /// `.whitespacesAndNewlines`), so a secret file's trailing "\r\n" goes.
    package func trimmingWhitespace() -> String {
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
