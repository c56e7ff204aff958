import Testing

/// The exporter links FoundationEssentials at most: full Foundation would map FoundationInternationalization and
/// ICU's data (about 9 MiB of resident pages) for nothing the exporter uses (issue 11).
@Suite("Linked libraries")
struct LinkedLibrariesTests {
    @Test(.timeLimit(.minutes(1)))
    func test_theExecutable_linksNoFullFoundationAndNoICU() async throws {
        let exporter = try #require(ChildProcess.exporterPath)
        let ldd = try await ChildProcess.run("/usr/bin/ldd", [exporter])
        #expect(ldd.status == 0, "\(ldd.stderr)")
        let libraries = ldd.stdout.split(separator: "\n").compactMap {
            $0.split(whereSeparator: \.isWhitespace).first.map(String.init)
        }
        #expect(libraries.contains { $0.hasPrefix("libcurl.so") } && libraries.contains { $0.hasPrefix("libyaml") })
        let forbidden = libraries.filter {
            $0.hasPrefix("libFoundation.so") || $0.hasPrefix("libFoundationInternationalization")
                || $0.hasPrefix("lib_FoundationICU") || $0.hasPrefix("libicu")
        }
        #expect(forbidden.isEmpty, "linked: \(forbidden)")
    }
}
