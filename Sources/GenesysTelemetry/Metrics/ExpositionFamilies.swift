/// A text exposition split into metric families, so several orgs' pages can be merged into one valid page: each
/// family's `# HELP`/`# TYPE` once, then the samples of every org together (the text format wants a family's
/// samples in one group), each sample labelled with its org.
package struct ExpositionFamilies: Sendable {
    package private(set) var order: [String] = []
    package private(set) var headers: [String: [UInt8]] = [:]
    package private(set) var samples: [String: [UInt8]] = [:]

    package init() {}

    /// Splits `page` (what swift-prometheus renders: comment lines name their family, samples follow them) and adds
    /// `org="<org>"` as the first label of every sample when `org` is given. `org` must be a valid label value that
    /// needs no escaping (the configuration allows `[A-Za-z0-9_.-]` only).
    package init(page: [UInt8], org: String?) {
        let label = org.map { Array("org=\"\($0)\"".utf8) } ?? []
        var family = ""
        var start = 0
        while start < page.count {
            var end = start
            while end < page.count && page[end] != UInt8(ascii: "\n") { end += 1 }
            let line = page[start..<end]
            start = end + 1
            guard !line.isEmpty else { continue }
            if line.first == UInt8(ascii: "#") {
                // "# HELP name …" / "# TYPE name …": the third word is the family.
                let words = line.split(separator: UInt8(ascii: " "), maxSplits: 3, omittingEmptySubsequences: true)
                guard words.count >= 3 else { continue }
                let name = String(decoding: words[2], as: UTF8.self)
                if name != family {
                    family = name
                    if headers[name] == nil { order.append(name) }
                }
                headers[name, default: []] += line
                headers[name, default: []].append(UInt8(ascii: "\n"))
                continue
            }
            if headers[family] == nil && samples[family] == nil { order.append(family) }
            samples[family, default: []] += Self.labelled(line, label)
        }
    }

    /// The sample line with `label` first in its label set, and a newline.
    static func labelled(_ line: ArraySlice<UInt8>, _ label: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(line.count + label.count + 3)
        guard !label.isEmpty,
            let cut = line.firstIndex(where: { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: " ") })
        else {
            out += line
            out.append(UInt8(ascii: "\n"))
            return out
        }
        out += line[line.startIndex..<cut]
        if line[cut] == UInt8(ascii: "{") {
            out.append(UInt8(ascii: "{"))
            out += label
            let next = line.index(after: cut)
            if next < line.endIndex && line[next] != UInt8(ascii: "}") { out.append(UInt8(ascii: ",")) }
            out += line[next...]
        } else {
            out.append(UInt8(ascii: "{"))
            out += label
            out.append(UInt8(ascii: "}"))
            out += line[cut...]
        }
        out.append(UInt8(ascii: "\n"))
        return out
    }

    /// The same families with their headers but no samples (what a compressed copy still needs to be merged).
    package func withoutSamples() -> ExpositionFamilies {
        var copy = ExpositionFamilies()
        copy.order = order
        copy.headers = headers
        return copy
    }

    /// The same families in the same order, each family's header and samples rewritten (the OpenMetrics page).
    package func rewritten(
        _ rewrite: (_ header: [UInt8]?, _ samples: [UInt8]?) -> (header: [UInt8]?, samples: [UInt8]?)
    ) -> ExpositionFamilies {
        var copy = ExpositionFamilies()
        copy.order = order
        copy.headers.reserveCapacity(headers.count)
        copy.samples.reserveCapacity(samples.count)
        for name in order {
            let result = rewrite(headers[name], samples[name])
            copy.headers[name] = result.header
            copy.samples[name] = result.samples
        }
        return copy
    }

    /// Adds `other`'s samples after this one's, family by family (families new here go last, with their headers).
    package mutating func absorb(_ other: ExpositionFamilies) {
        for name in other.order {
            if headers[name] == nil && samples[name] == nil { order.append(name) }
            if headers[name] == nil, let header = other.headers[name] { headers[name] = header }
            if let lines = other.samples[name] { samples[name, default: []] += lines }
        }
    }

    /// Each family's header and samples (empty when absent), in page order.
    package func familyParts() -> [(header: [UInt8], samples: [UInt8])] {
        order.map { (headers[$0] ?? [], samples[$0] ?? []) }
    }

    /// The page as buffers to send back to back: each family's header, then its samples.
    package func parts() -> [[UInt8]] {
        var parts: [[UInt8]] = []
        parts.reserveCapacity(order.count * 2)
        for name in order {
            if let header = headers[name] { parts.append(header) }
            if let lines = samples[name] { parts.append(lines) }
        }
        return parts
    }

    /// One page: families in the order they first appear across `parts`, each header from the first part that has
    /// it, then every part's samples of that family in part order.
    package static func merge(_ parts: [ExpositionFamilies]) -> [UInt8] {
        guard var merged = parts.first else { return [] }
        for part in parts.dropFirst() { merged.absorb(part) }
        return Array(merged.parts().joined())
    }
}
