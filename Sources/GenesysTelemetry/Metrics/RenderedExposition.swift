/// How a scraper asked for the page.
package enum ExpositionEncoding: Sendable, Equatable {
    case identity
    /// The parts, sent back to back, are one gzip member (`GzipSplice`).
    case gzip
}

/// A page as it goes on the wire: the poll-driven part (cached between changes) and then the live part. Kept as
/// separate buffers so the cached one is never copied into a new page.
package struct RenderedExposition: Sendable {
    package var parts: [[UInt8]]
    package var encoding: ExpositionEncoding

    package init(parts: [[UInt8]], encoding: ExpositionEncoding) {
        self.parts = parts
        self.encoding = encoding
    }

    /// A plain page, gzipped whole when asked: for pages that are not cached.
    package init(page: [UInt8], encoding: ExpositionEncoding) {
        self.init(parts: [encoding == .gzip ? GzipSplice.compress(page) : page], encoding: encoding)
    }

    package var byteCount: Int { parts.reduce(0) { $0 + $1.count } }

    /// The body in one buffer, as sent.
    package var bytes: [UInt8] { Array(parts.joined()) }
}
