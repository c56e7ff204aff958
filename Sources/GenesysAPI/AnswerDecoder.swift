import GenesysJSON

/// How an endpoint's answer is read, declared beside the endpoint so that its fuzz target is derived, not listed:
/// the target feeds outside bytes to the decoder twice (read in place from jansson and from the Swift tree, as the
/// client and the tests do) and requires both readings to agree.
package struct AnswerDecoder: Sendable {
    /// The fuzz target's name and the folder of its seed corpus, `Fuzz/corpus/<fuzzName>/`.
    package let fuzzName: String
    private let compare: @Sendable (JSONCursor, JSONCursor) -> String?

    /// `decode` is the collector's own decoder; its result only needs to be comparable.
    package init<Decoded: Equatable & Sendable>(
        fuzzName: String, _ decode: @escaping @Sendable (JSONCursor) throws(JSONDecodingError) -> Decoded
    ) {
        self.fuzzName = fuzzName
        compare = { inPlace, fromTree in
            let first = Result { () throws(JSONDecodingError) in try decode(inPlace) }
            let second = Result { () throws(JSONDecodingError) in try decode(fromTree) }
            switch (first, second) {
            case (.success(let value), .success(let same)): return value == same ? nil : "the two decodings differ"
            case (.failure(let error), .failure(let same)): return error == same ? nil : "\(error) against \(same)"
            default: return "one decoding failed, the other did not"
            }
        }
    }

    /// Nil when both readings of one answer decode to the same value or fail with the same error.
    package func disagreement(inPlace: JSONCursor, fromTree: JSONCursor) -> String? { compare(inPlace, fromTree) }
}
