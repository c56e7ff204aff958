import GenesysJSON

/// How an endpoint's answer is read, declared beside the endpoint so that its fuzz target is derived, not listed:
/// the target feeds outside bytes to the decoder twice (read in place from jansson and from the Swift tree, as the
/// client and the tests do) and requires both readings to agree.
package struct AnswerDecoder: Sendable {
    /// The fuzz target's name and the folder of its seed corpus, `Fuzz/corpus/<fuzzName>/`.
    package let fuzzName: String
    private let compare: @Sendable (JSONCursor, JSONCursor) -> String?
    private let read: @Sendable (JSONCursor) -> JSONDecodingError?

    /// `decode` is the collector's own decoder; its result only needs to be comparable.
    package init<Decoded: Equatable & Sendable>(
        fuzzName: String, _ decode: @escaping @Sendable (JSONCursor) throws(JSONDecodingError) -> Decoded
    ) {
        self.fuzzName = fuzzName
        let attempt: @Sendable (JSONCursor) -> (value: Decoded?, error: JSONDecodingError?) = { json in
            do throws(JSONDecodingError) {
                return (try decode(json), nil)
            } catch {
                return (nil, error)
            }
        }
        read = { json in attempt(json).error }
        compare = { inPlace, fromTree in
            let (first, second) = (attempt(inPlace), attempt(fromTree))
            switch (first.error, second.error) {
            case (nil, nil): return first.value == second.value ? nil : "the two decodings differ"
            case (let error?, let same?): return error == same ? nil : "\(error) against \(same)"
            default: return "one decoding failed, the other did not"
            }
        }
    }

    /// Nil when both readings of one answer decode to the same value or fail with the same error.
    package func disagreement(inPlace: JSONCursor, fromTree: JSONCursor) -> String? { compare(inPlace, fromTree) }

    /// Nil when the answer decodes; the decoding error otherwise (the contract test reads the simulator's answers).
    package func failure(_ json: JSONCursor) -> JSONDecodingError? { read(json) }
}
