/// The user topics' messages: each subscribed `v2.users.{id}.routingStatus` or `.presence` topic gets one when its
/// part of the user's observed state (`UserCatalog.observedState`, what the user observations query reads) changes.
/// Users move with the wall clock whether or not queue observations move, so a tick of their own checks them.
extension SimulatorCore {
    /// How often the users of subscribed topics are checked for changes (a message is at most this late; its
    /// `startTime` or `modifiedDate` is exact).
    static let userTopicCheckInterval = Duration.seconds(1)

    /// Sends every connected channel a message for each subscribed user topic whose part of the user's state changed
    /// since the last one it was sent; only `userID`'s topics when given; with `forced`, whether or not they changed.
    func pushUserChanges(of userID: String? = nil, forced: Bool = false) {
        let nowMillis = userObservationMillis()
        state.withLock { state in
            // Read once per user, however many channels subscribe to it.
            var observed: [String: ObservedUserState] = [:]
            for channel in state.notifications.channels {
                guard let socket = channel.socket, !channel.sentUserStates.isEmpty else { continue }
                var changed: [(UserTopic, ObservedUserState)] = []
                for (topic, sent) in channel.sentUserStates where userID == nil || topic.userID == userID {
                    guard let index = state.users.index(ofID: topic.userID) else { continue }
                    let now = observed[topic.userID] ?? state.users.observedState(index: index, at: nowMillis)
                    observed[topic.userID] = now
                    if forced || now.differs(from: sent, in: topic.kind) { changed.append((topic, now)) }
                }
                guard !changed.isEmpty else { continue }
                state.notifications.update(channel.id) { channel in
                    for (topic, now) in changed { channel.sentUserStates[topic] = now }
                }
                // Queued under the lock (`send` only hands them to the event loop), so a check and a pin racing
                // cannot deliver an older state after a newer one.
                socket.send(
                    changed.sorted { $0.0.name < $1.0.name }.map {
                        .text($0.kind.messageKind, NotificationMessages.user($0, state: $1))
                    })
            }
        }
    }

    /// The current state of the users of these topics (the known ones), to compare later ones against.
    func currentUserStates(_ topics: [UserTopic], state: SimulatorState) -> [UserTopic: ObservedUserState] {
        let nowMillis = userObservationMillis()
        var states: [UserTopic: ObservedUserState] = [:]
        for topic in topics {
            guard let index = state.users.index(ofID: topic.userID) else { continue }
            states[topic] = state.users.observedState(index: index, at: nowMillis)
        }
        return states
    }
}
