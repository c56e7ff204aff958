import FoundationEssentials
import Glibc
import Prometheus
import Synchronization

/// The standard `process_*` families, read from /proc at scrape time (Linux); they belong in a
/// registry rendered at every scrape.
package final class ProcessMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let reportedCPUSeconds = Mutex<Double>(0)
    private let clockTicks = Double(sysconf(Int32(_SC_CLK_TCK)))
    private let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))

    package init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        if let start = Self.startTime(clockTicks: clockTicks) {
            registry.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.").set(
                start)
        }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            registry.gauge("process_max_fds", "Maximum number of open file descriptors.").set(Double(limit.rlim_cur))
        }
        update()
    }

    /// Reads CPU, memory and descriptors; called before every scrape.
    package func update() {
        guard let fields = Self.statFields() else { return }
        // Fields after the command name: utime is 14th, stime 15th, vsize 23rd, rss 24th of the full line.
        let cpu = ((Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)) / clockTicks
        reportedCPUSeconds.withLock { reported in
            if cpu > reported {
                registry.counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.")
                    .increment(by: cpu - reported)
                reported = cpu
            }
        }
        registry.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.").set(Double(fields[20]) ?? 0)
        registry.gauge("process_resident_memory_bytes", "Resident memory size in bytes.").set(
            (Double(fields[21]) ?? 0) * pageSize)
        if let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            registry.gauge("process_open_fds", "Number of open file descriptors.").set(Double(descriptors.count))
        }
    }

    /// The fields of /proc/self/stat after "pid (comm)", which may itself contain spaces.
    private static func statFields() -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 22 ? fields : nil
    }

    private static func startTime(clockTicks: Double) -> Double? {
        guard let fields = statFields(), let ticks = Double(fields[19]),
            let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
            let bootTime = Double(line.dropFirst(6))
        else { return nil }
        return bootTime + ticks / clockTicks
    }
}
