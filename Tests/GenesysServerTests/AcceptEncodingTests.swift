import Testing

@testable import GenesysServer

@Suite("Accept-Encoding: when the exposition is gzipped")
struct AcceptEncodingTests {
    @Test(arguments: [
        // What scrapers send.
        (["gzip"], true), (["gzip, deflate, br"], true), (["deflate, gzip;q=1.0, *;q=0.5"], true),
        (["GZIP"], true), (["x-gzip"], true), (["*"], true), ([" gzip ; q=0.5 "], true), (["br", "gzip"], true),
        // Refused or absent.
        ([], false), ([""], false), (["identity"], false), (["deflate, br"], false), (["gzip;q=0"], false),
        (["gzip;q=0.000"], false), (["*, gzip;q=0"], false), (["*;q=0"], false), (["gzip;Q=0"], false),
        // Malformed weights never count as acceptance.
        (["gzip;q=2"], false), (["gzip;q=1.5"], false), (["gzip;q=0.0001"], false), (["gzip;q="], false),
        (["gzip;q=abc"], false), (["gzip;q=-1"], false), ([",,;,"], false), ([";q=1"], false),
        // Other parameters are ignored; the later entry for a coding wins.
        (["gzip;level=9"], true), (["gzip;q=0, gzip"], true), (["gzip, gzip;q=0"], false),
    ])
    func test_acceptsGzip(values: [String], expected: Bool) {
        #expect(AcceptEncoding.acceptsGzip(values) == expected, "\(values)")
    }
}
