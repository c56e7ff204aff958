/// A routing queue as the simulator serves it.
package struct SimulatedQueue: Sendable, Equatable {
    package let id: String
    package let name: String
    package let memberCount: Int
    package let userMemberCount: Int
    package let joinedMemberCount: Int
}

/// The deterministic queue catalog: queue `i` always has the same id, name and member counts.
struct QueueCatalog: Sendable {
    static let maximumCount = 10_000
    /// Index of the queue whose name holds a double quote, a backslash and a non-ASCII character.
    static let awkwardNameIndex = 2

    let queues: [SimulatedQueue]
    private let indexByID: [String: Int]

    init(count: Int) {
        let count = min(max(count, 0), Self.maximumCount)
        var queues: [SimulatedQueue] = []
        queues.reserveCapacity(count)
        var indexByID: [String: Int] = [:]
        indexByID.reserveCapacity(count)
        for index in 0..<count {
            let queue = Self.queue(at: index)
            queues.append(queue)
            indexByID[queue.id] = index
        }
        self.queues = queues
        self.indexByID = indexByID
    }

    func index(ofQueueID id: String) -> Int? {
        indexByID[id]
    }

    static func queue(at index: Int) -> SimulatedQueue {
        let members = 2 + Int(StableHash.value(index, 1) % 14)
        let users = members - Int(StableHash.value(index, 2) % 2)
        let joined = users - Int(StableHash.value(index, 3) % UInt64(users / 2 + 1))
        return SimulatedQueue(
            id: queueID(at: index),
            name: queueName(at: index),
            memberCount: members,
            userMemberCount: users,
            joinedMemberCount: joined
        )
    }

    static func queueID(at index: Int) -> String {
        let high = StableHash.value(index, 0x51)
        let low = StableHash.value(index, 0x52)
        let hex = hex16(high) + hex16(low)
        let chars = Array(hex)
        // Version 4 and the RFC 4122 variant, so the id looks like the real ones.
        let variant = ["8", "9", "a", "b"][Int(low >> 62)]
        return String(chars[0..<8]) + "-" + String(chars[8..<12]) + "-4" + String(chars[13..<16]) + "-"
            + variant + String(chars[17..<20]) + "-" + String(chars[20..<32])
    }

    private static let departments = [
        "Sales", "Support", "Billing", "Returns", "Technical", "Retention", "Onboarding", "Claims",
    ]

    static func queueName(at index: Int) -> String {
        let number = String(index + 1).leftPadded(to: 3)
        if index == awkwardNameIndex {
            return "Escalations \"Tier 2\" \\ Zürich \(number)"
        }
        return "\(departments[index % departments.count]) \(number)"
    }

    /// A fixed creation date per queue, ISO 8601 with milliseconds as the API writes it.
    static func dateCreated(at index: Int) -> String {
        let month = String(1 + index % 12).leftPadded(to: 2)
        let day = String(1 + index % 28).leftPadded(to: 2)
        let minute = String(index % 60).leftPadded(to: 2)
        return "2023-\(month)-\(day)T09:\(minute):00.000Z"
    }

    private static func hex16(_ value: UInt64) -> String {
        String(value, radix: 16).leftPadded(to: 16)
    }
}

/// splitmix64-based hashing: stable across runs and platforms (unlike `Hasher`).
enum StableHash {
    static func mix(_ seed: UInt64) -> UInt64 {
        var z = seed &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static func value(_ parts: Int...) -> UInt64 {
        value(parts)
    }

    static func value(_ parts: [Int]) -> UInt64 {
        var h: UInt64 = 0x6A09_E667_F3BC_C908
        for part in parts {
            h = mix(h ^ UInt64(bitPattern: Int64(part)))
        }
        return h
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
