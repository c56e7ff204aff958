/// Walks one store's text page family by family: each family's comment lines, then its sample lines, as byte
/// ranges of the page (no copies). A store renders each family's lines together, so a comment line after samples
/// starts the next family; a page merged from several stores needs `ExpositionFamilies` instead.
enum TextPageFamilies {
    static func forEach(_ page: [UInt8], _ body: (_ header: ArraySlice<UInt8>, _ samples: ArraySlice<UInt8>) -> Void) {
        var headerStart = 0
        var samplesStart = 0
        var index = 0
        var inSamples = false
        while index < page.count {
            var end = index
            while end < page.count && page[end] != UInt8(ascii: "\n") { end += 1 }
            let lineEnd = min(end + 1, page.count)
            if page[index] == UInt8(ascii: "#") {
                if inSamples {
                    body(page[headerStart..<samplesStart], page[samplesStart..<index])
                    headerStart = index
                    inSamples = false
                }
                samplesStart = lineEnd
            } else if !inSamples {
                samplesStart = index
                inSamples = true
            }
            index = lineEnd
        }
        if headerStart < page.count { body(page[headerStart..<samplesStart], page[samplesStart..<page.count]) }
    }
}
