/// What the user observations query and the user notification topics report for a user at one instant: its routing
/// status and org presence id, each with when the user entered it. Both read `UserCatalog.observedState`, so a
/// stream and a poll agree.
struct ObservedUserState: Sendable, Equatable {
    struct RoutingStatus: Sendable, Equatable {
        /// An SDK `RoutingStatus.status` value, or any text a test pinned.
        let status: String
        /// When the user entered it (Unix ms).
        let sinceMillis: Int64
    }

    struct Presence: Sendable, Equatable {
        /// An org presence id (`ObservationModel.organizationPresences`), or any text a test pinned.
        let id: String
        /// When the user entered it (Unix ms).
        let sinceMillis: Int64
    }

    let routingStatus: RoutingStatus
    let presence: Presence

    /// The system presence (analytics spelling, `ON_QUEUE`) of the org presence id; nil for an id the org does not
    /// define.
    var systemPresence: String? { ObservationModel.systemPresenceByOrganizationPresenceID[presence.id] }

    /// Whether the part a topic of this kind carries differs.
    func differs(from other: ObservedUserState, in kind: UserTopic.Kind) -> Bool {
        switch kind {
        case .routingStatus: routingStatus != other.routingStatus
        case .presence: presence != other.presence
        }
    }
}

extension UserCatalog {
    /// User `index` at wall time `t` (Unix ms): the pinned state if a test pinned one, the modelled one otherwise.
    func observedState(index: Int, at t: Int64) -> ObservedUserState {
        if let pinned = observationOverrides[index] { return pinned }
        let state = UserModel.state(index: index, at: t)
        let entered = UserModel.entered(index: index, at: t)
        return ObservedUserState(
            routingStatus: .init(status: state.routingStatus, sinceMillis: entered.routingStatusMillis),
            presence: .init(id: state.organizationPresenceID, sinceMillis: entered.presenceMillis))
    }

    /// Pins user `index`'s observed routing status and presence id at wall time `t` (both given), or lets the model
    /// speak again (either nil). A pinned part equal to what is observed now keeps when it was entered; a new one is
    /// entered at `t`. Returns whether what is observed changed (false for an unknown index).
    mutating func pinObservedState(index: Int, routingStatus: String?, presenceID: String?, at t: Int64) -> Bool {
        guard (0..<count).contains(index) else { return false }
        let before = observedState(index: index, at: t)
        if let routingStatus, let presenceID {
            observationOverrides[index] = ObservedUserState(
                routingStatus: before.routingStatus.status == routingStatus
                    ? before.routingStatus : .init(status: routingStatus, sinceMillis: t),
                presence: before.presence.id == presenceID ? before.presence : .init(id: presenceID, sinceMillis: t))
        } else {
            observationOverrides[index] = nil
        }
        return observedState(index: index, at: t) != before
    }
}
