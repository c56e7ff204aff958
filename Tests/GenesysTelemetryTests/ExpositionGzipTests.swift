import GenesysBaseTestSupport
import Prometheus
import Testing

@testable import GenesysTelemetry

@Suite("The gzipped exposition: compressed once per change, the live part spliced after it")
struct ExpositionGzipTests {
    private func store() -> (MetricStore, Gauge, Gauge) {
        let store = MetricStore()
        let stable = store.registry.gauge("genesys_stable", "Changes when a poll is published.")
        let live = store.liveRegistry.gauge("genesys_live", "Changes at any time.")
        return (store, stable, live)
    }

    @Test func test_gzipPage_isOneMemberThatReadsAsThePlainPage() throws {
        let (store, stable, live) = store()
        stable.set(7.0)
        live.set(3.0)
        let plain = store.render(.identity) {}
        let gzipped = store.render(.gzip) {}
        #expect(gzipped.encoding == .gzip && gzipped.parts.count == 2)
        let read = try #require(Gunzip.read(gzipped.bytes))
        #expect(read.members == 1, "one member: libcurl 7.88 fails on several")
        #expect(read.bytes == plain.bytes)
        let exposition = try Exposition.parse(String(decoding: read.bytes, as: UTF8.self))
        #expect(exposition.value("genesys_stable") == 7 && exposition.value("genesys_live") == 3)
        #expect(gzipped.byteCount < plain.byteCount)
    }

    @Test func test_pollDrivenPart_isCompressedOncePerChange_liveValuesAreFreshEachScrape() throws {
        let (store, stable, live) = store()
        let first = store.render(.gzip) {}
        for value in 1...20 {
            live.set(Double(value))
            let page = store.render(.gzip) {}
            #expect(page.parts[0] == first.parts[0], "the cached prefix is sent as it is")
            let text = String(decoding: try #require(Gunzip.read(page.bytes)).bytes, as: UTF8.self)
            #expect(try Exposition.parse(text).value("genesys_live") == Double(value))
        }
        #expect(store.gzipCompressions.withLock { $0 } == 1)

        store.publish { stable.set(42.0) }
        let after = String(decoding: try #require(Gunzip.read(store.render(.gzip) {}.bytes)).bytes, as: UTF8.self)
        #expect(try Exposition.parse(after).value("genesys_stable") == 42, "a change is seen by the next gzip scrape")
        _ = store.render(.gzip) {}
        #expect(store.gzipCompressions.withLock { $0 } == 2)
    }

    @Test func test_plainScrapes_neverCompress() {
        let (store, _, _) = store()
        for _ in 0..<5 { _ = store.render(.identity) {} }
        #expect(store.gzipCompressions.withLock { $0 } == 0)
    }

    @Test func test_uncachedPage_isOneMember() throws {
        let page = Array("test_metric 1\n".utf8)
        let gzipped = RenderedExposition(page: page, encoding: .gzip)
        let read = try #require(Gunzip.read(gzipped.bytes))
        #expect(read.members == 1 && read.bytes == page)
        #expect(RenderedExposition(page: page, encoding: .identity).bytes == page)
    }

    /// Past 64 KiB (zlib's window) and with every byte value, so the spliced CRC-32 and length are checked.
    @Test(arguments: [0, 1, 70_000, 300_000])
    func test_splice_ofAnyPrefixAndSuffix_readsAsBothInOrder(prefixLength: Int) throws {
        let prefixBytes = (0..<prefixLength).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 7) }
        let suffixBytes = Array("genesys_token_age_seconds 12.5\n".utf8)
        let prefix = GzipSplice.prefix(prefixBytes)
        let body = prefix.bytes + GzipSplice.suffix(after: prefix, suffixBytes)
        let read = try #require(Gunzip.read(body))
        #expect(read.members == 1)
        #expect(read.bytes == prefixBytes + suffixBytes)
    }

    /// The multi-org page: thousands of chunks compressed apart (some empty, some past zlib's window) and joined.
    @Test func test_joinedChunks_readBackAsTheirConcatenation() throws {
        var generator = SystemRandomNumberGenerator()
        let pieces: [[UInt8]] =
            (0..<3000).map { index in
                let length = index % 997 == 0 ? 40_000 : Int(generator.next() % 300)
                return (0..<length).map { _ in UInt8(ascii: "a") + UInt8(generator.next() % 26) }
            } + [[]]
        // Small chunks (the protobuf families' length and header, made per scrape) join with the others.
        let prefix = GzipSplice.join(
            pieces.enumerated().map {
                $0.offset % 3 == 0 ? GzipSplice.smallChunk($0.element) : GzipSplice.chunk($0.element)
            })
        let live = Array("live 1\n".utf8)
        let body = prefix.bytes + GzipSplice.suffix(after: prefix, live)
        let read = try #require(Gunzip.read(body))
        #expect(read.members == 1)
        #expect(read.bytes == Array(pieces.joined()) + live)
    }

    /// A cached chunk holds its compressed bytes, not the room zlib was given (about the plain size).
    @Test func test_chunk_keepsOnlyItsCompressedBytes() throws {
        let family = Array(
            (0..<5000).map { "genesys_queue_members{org=\"org-1\",queue=\"q-\($0 % 50)\"} \($0)\n" }.joined().utf8)
        let chunk = GzipSplice.chunk(family)
        #expect(chunk.bytes.count * 5 < family.count)
        #expect(chunk.bytes.capacity <= chunk.bytes.count + 64)
        // A small family's room (zlib's bound over 2 KB) too: a page has dozens of them per org.
        let small = GzipSplice.chunk(Array(family.prefix(2000)))
        #expect(small.bytes.capacity <= small.bytes.count + 64)
        let prefix = GzipSplice.join([chunk])
        let read = try #require(Gunzip.read(prefix.bytes + GzipSplice.suffix(after: prefix, [])))
        #expect(read.bytes == family)
    }

    @Test func test_gunzip_refusesATruncatedBody() {
        let gzipped = RenderedExposition(page: Array(repeating: UInt8(ascii: "a"), count: 1000), encoding: .gzip).bytes
        #expect(Gunzip.read(Array(gzipped.dropLast(3))) == nil)
        #expect(Gunzip.read(gzipped + [0x1f]) == nil)
    }
}
