import CMalloc
import Glibc

/// Caps glibc's malloc arenas at two. glibc gives threads up to 8 arenas per core (16 here); each org's libcurl
/// thread and the pools' threads spread allocations over all of them, and each arena keeps its own freed and
/// partly used pages. Measured on the 200-org benchmark (benchmarks/README.md, "Two malloc arenas"): RSS at the
/// window's end went from 144–165 MiB to 135–140 MiB, with no CPU cost. Two, not one, so the event loop and the
/// render pool do not queue on one arena lock behind the pollers.
package enum MallocArenas {
    package static let cap: Int32 = 2

    /// Called first thing in `main`, before other threads start. Leaves glibc alone when the operator set
    /// `MALLOC_ARENA_MAX` or a `glibc.malloc.arena_max` tunable. Returns whether the cap was set here.
    @discardableResult
    package static func capAtStartup() -> Bool {
        if getenv("MALLOC_ARENA_MAX") != nil { return false }
        if let tunables = getenv("GLIBC_TUNABLES"), String(cString: tunables).contains("glibc.malloc.arena_max") {
            return false
        }
        return gx_malloc_set_arena_max(cap) == 1
    }
}
