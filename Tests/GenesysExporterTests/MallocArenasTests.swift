import Glibc
import Testing

@testable import GenesysExporter

@Suite("malloc arenas")
struct MallocArenasTests {
    /// glibc takes the cap (mallopt answers 1), unless the operator chose their own.
    @Test func test_theCap_isTaken_unlessTheEnvironmentSetsOne() {
        let chosen =
            getenv("MALLOC_ARENA_MAX") != nil
            || (getenv("GLIBC_TUNABLES").map { String(cString: $0).contains("arena_max") } ?? false)
        #expect(MallocArenas.capAtStartup() == !chosen)
    }
}
