import GenesysAPI
import GenesysAuth
import GenesysBase
import Synchronization

/// Which queues get per-queue series: an anchored name regex and a cap, so cardinality stays bounded.
package struct QueueSelection: Sendable {
    package let nameFilter: String?
    package let maxSeries: Int

    package init(nameFilter: String? = nil, maxSeries: Int = 500) throws(ConfigurationError) {
        if let nameFilter {
            do { _ = try Regex(nameFilter) } catch {
                throw .invalid(
                    setting: "--collector.queues.name-filter",
                    reason: "'\(nameFilter)' is not a valid regular expression: \(error)")
            }
        }
        guard maxSeries >= 0 else { throw .invalid(setting: "--collector.queues.max", reason: "must be 0 or more") }
        self.nameFilter = nameFilter
        self.maxSeries = maxSeries
    }

    /// The queues that get series: matching the filter, ordered by name then id, at most `maxSeries`.
    package func select(_ queues: [RoutingQueue]) -> (selected: [RoutingQueue], dropped: Int) {
        var matching = queues
        if let nameFilter, let regex = try? Regex(nameFilter) {
            matching = queues.filter { (try? regex.wholeMatch(in: $0.name)) != nil }
        }
        matching.sort { ($0.name, $0.id) < ($1.name, $1.id) }
        let selected = Array(matching.prefix(maxSeries))
        return (selected, matching.count - selected.count)
    }
}

/// The queues the queue collector selected last, shared with the observations collector.
package final class QueueDirectory: Sendable {
    private let latest = Mutex<[RoutingQueue]?>(nil)
    private let relisting = Mutex(false)

    package init() {}

    package var selectedQueues: [RoutingQueue]? { latest.withLock { $0 } }

    func update(_ queues: [RoutingQueue]) { latest.withLock { $0 = queues } }

    /// Asks the queue collector to list again at its next poll, whatever its listing interval (a stream message
    /// named a queue the last listing did not select).
    func requestRelisting() { relisting.withLock { $0 = true } }

    /// True once after `requestRelisting`.
    func takeRelistingRequest() -> Bool {
        relisting.withLock { wanted in
            defer { wanted = false }
            return wanted
        }
    }
}
