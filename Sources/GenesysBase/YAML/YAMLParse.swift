import CYAML

/// The libyaml calls behind `YAMLDocument`: load one document, copy its nodes out, free libyaml's.
enum YAMLParse {
    static func compose(_ bytes: [UInt8]) throws(YAMLDocument.SyntaxError) -> YAMLStorage {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw YAMLDocument.SyntaxError(line: 0, problem: "out of memory")
        }
        defer { yaml_parser_delete(&parser) }
        return try bytes.withUnsafeBufferPointer { (buffer) throws(YAMLDocument.SyntaxError) -> YAMLStorage in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var document = yaml_document_t()
            guard yaml_parser_load(&parser, &document) == 1 else { throw syntaxError(parser) }
            defer { yaml_document_delete(&document) }
            let storage = copy(&document)
            // A second document is a mistake in a configuration file, not something to ignore.
            var next = yaml_document_t()
            guard yaml_parser_load(&parser, &next) == 1 else { throw syntaxError(parser) }
            defer { yaml_document_delete(&next) }
            if yaml_document_get_root_node(&next) != nil {
                throw YAMLDocument.SyntaxError(
                    line: Int(parser.mark.line) + 1, problem: "expected a single document in the stream")
            }
            return storage
        }
    }

    /// libyaml numbers nodes from 1 in creation order, root first.
    private static func copy(_ document: inout yaml_document_t) -> YAMLStorage {
        guard yaml_document_get_root_node(&document) != nil else { return YAMLStorage(nodes: []) }
        let count = document.nodes.top - document.nodes.start
        var nodes: [YAMLStorage.Entry] = []
        nodes.reserveCapacity(count)
        for offset in 0..<count {
            let node = document.nodes.start[offset]
            switch node.type {
            case YAML_SCALAR_NODE:
                let scalar = node.data.scalar
                let bytes = UnsafeBufferPointer(start: scalar.value, count: scalar.length)
                nodes.append(
                    .scalar(String(decoding: bytes, as: UTF8.self), plain: scalar.style == YAML_PLAIN_SCALAR_STYLE))
            case YAML_SEQUENCE_NODE:
                let items = node.data.sequence.items
                let count = items.top - items.start
                nodes.append(.sequence((0..<count).map { Int(items.start[$0]) - 1 }))
            case YAML_MAPPING_NODE:
                let pairs = node.data.mapping.pairs
                let count = pairs.top - pairs.start
                nodes.append(
                    .mapping((0..<count).map { (Int(pairs.start[$0].key) - 1, Int(pairs.start[$0].value) - 1) }))
            default:
                nodes.append(.scalar("", plain: true))
            }
        }
        return YAMLStorage(nodes: nodes)
    }

    /// libyaml's problem and context are fixed texts from its source, never the input.
    private static func syntaxError(_ parser: yaml_parser_t) -> YAMLDocument.SyntaxError {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
        let context = parser.context.map { " " + String(cString: $0) } ?? ""
        let line = parser.error == YAML_READER_ERROR ? 0 : Int(parser.problem_mark.line) + 1
        return YAMLDocument.SyntaxError(line: line, problem: problem + context)
    }
}
