import NIOCore
import Synchronization

/// A steady message load for benchmarks: every subscribed queue gets `perQueuePerSecond` observation messages a
/// second (its current values, whether they changed or not), sent in slices every 100 ms on the event loop.
final class NotificationLoad: Sendable {
    private struct State {
        var task: RepeatedTask?
        var rate = 0.0
        /// Per channel, where the next slice of its queues starts.
        var cursors: [String: Int] = [:]
        /// Fractions of a message carried to the next tick, so low rates still send.
        var carry = 0.0
    }

    private let state = Mutex(State())
    static let tick: Duration = .milliseconds(100)
    static let tickSeconds = 0.1

    /// Starts (rate > 0) or stops the load on `eventLoop`.
    func set(rate: Double, on eventLoop: EventLoop?, _ tick: @escaping @Sendable () -> Void) {
        state.withLock { state in
            state.task?.cancel()
            state.task = nil
            state.rate = max(0, rate)
            guard state.rate > 0, let eventLoop else { return }
            let delay = TimeAmount(Self.tick)
            state.task = eventLoop.scheduleRepeatedTask(initialDelay: delay, delay: delay) { _ in tick() }
        }
    }

    func stop() { set(rate: 0, on: nil) {} }

    /// The queues of a channel to send for this tick: `rate × queues × tick` of them, round robin.
    func slice(channelID: String, queueIDs: [String]) -> ArraySlice<String> {
        state.withLock { state in
            guard !queueIDs.isEmpty else { return [] }
            let wanted = state.rate * Double(queueIDs.count) * Self.tickSeconds + state.carry
            let count = min(Int(wanted), queueIDs.count)
            state.carry = wanted - Double(count)
            let start = state.cursors[channelID, default: 0] % queueIDs.count
            state.cursors[channelID] = (start + count) % queueIDs.count
            let end = start + count
            if end <= queueIDs.count { return queueIDs[start..<end] }
            return ArraySlice(Array(queueIDs[start...]) + Array(queueIDs[..<(end - queueIDs.count)]))
        }
    }
}

extension SimulatorCore {
    /// One tick of the load: a slice of each connected channel's queues, each with its current values.
    func notificationLoadTick() {
        let wallMillis = Int64((wallNow() * 1000).rounded())
        let outgoing: [(NotificationSocket, [(String, QueueObservationValues)])] = state.withLock { state in
            let reading = observationReading(state.observationOverrides)
            return state.notifications.channels.compactMap { channel in
                guard let socket = channel.socket else { return nil }
                let queues = notificationLoad.slice(channelID: channel.id, queueIDs: channel.queueIDs)
                let values: [(String, QueueObservationValues)] = queues.compactMap { queueID in
                    guard let index = state.catalog.index(ofQueueID: queueID) else { return nil }
                    return (queueID, QueueObservationValues(queueIndex: index, queueID: queueID, reading: reading))
                }
                return values.isEmpty ? nil : (socket, values)
            }
        }
        for (socket, values) in outgoing {
            socket.send(
                values.map { queueID, values in
                    let body = NotificationMessages.observationBody(values, wallMillis: wallMillis)
                    return .text(.observation, NotificationMessages.observation(queueID: queueID, body: body))
                })
        }
    }
}
