import NIOCore
import Synchronization

/// The request pipeline shared by every connection: faults, then the token endpoint or the API
/// (route → bearer token → rate limit → permission → handler). All state sits behind one lock.
final class SimulatorCore: Sendable {
    let state: Mutex<SimulatorState>
    let observations: ObservationModel
    /// What the simulator takes as "now" for token expiry; tests share a manual clock with the exporter.
    let now: @Sendable () -> NIODeadline
    /// The wall clock (Unix seconds) for aggregates and observation dates.
    let wallNow: @Sendable () -> Double
    /// The notification service's heartbeat and observation-slot timers (see `NotificationService`).
    let notificationTimers = NotificationTimers()
    let notificationLoad = NotificationLoad()
    /// Sockets stay open and send nothing (`setNotificationSocketsMuted`).
    let notificationsMuted = Atomic<Bool>(false)
    private let requestObserver: (@Sendable (ObservedRequest) -> Void)?

    init(configuration: SimulatorConfiguration) {
        self.now = configuration.now
        self.wallNow = configuration.wallNow
        self.requestObserver = configuration.requestObserver
        self.state = Mutex(SimulatorState(configuration: configuration))
        self.observations = ObservationModel(
            moving: configuration.movingObservations, epoch: .now,
            wallEpochMillis: AggregateModel.visibleUntil(wallSeconds: configuration.wallNow(), settleDelay: .zero))
    }

    /// The observation values now (the model's current slot) with these overrides.
    func observationReading(_ overrides: ObservationOverrides) -> ObservationReading {
        ObservationReading(model: observations, slot: observations.slot(at: .now), overrides: overrides)
    }

    /// Unix milliseconds up to which aggregate events are visible now: the wall clock minus the settle delay.
    func aggregateVisibleUntil() -> Int64 {
        let delay = state.withLock { $0.configuration.aggregateSettleDelay }
        return AggregateModel.visibleUntil(wallSeconds: wallNow(), settleDelay: delay)
    }

    /// The wall clock in Unix ms (clamped to the models' horizon) at which users are observed: by the user
    /// observations query and the user notification topics alike.
    func userObservationMillis() -> Int64 {
        AggregateModel.visibleUntil(wallSeconds: wallNow(), settleDelay: .zero)
    }

    /// Every route file's routes (`simulatorRouteFiles`, written by the SimulatorRouteIndex plugin).
    private static let allRoutes: [SimulatorRoute] = {
        let routes = simulatorRouteFiles.flatMap { $0.routes }
        // Two routes for one method and path are a mistake in the simulator itself, found by the first test that
        // starts one.
        _ = Dictionary(uniqueKeysWithValues: routes.map { ("\($0.method) \($0.path.text)", true) })
        return routes
    }()

    /// The routes of each exact path, one per method.
    private static let apiRoutes: [String: [SimulatorRoute]] = Dictionary(
        grouping: allRoutes.filter { !$0.isTemplate }, by: \.path.text)

    /// Paths with `{name}` segments and their routes (one per method); tried in order when no exact path matches.
    private static let templateRoutes: [(template: PathTemplate, routes: [SimulatorRoute])] = {
        var templates: [(template: PathTemplate, routes: [SimulatorRoute])] = []
        for route in allRoutes where route.isTemplate {
            if let index = templates.firstIndex(where: { $0.template.text == route.path.text }) {
                templates[index].routes.append(route)
            } else {
                templates.append((route.path, [route]))
            }
        }
        return templates
    }()

    /// The routes for a request path (one per method) and its `{name}` values.
    private static func routes(for path: String) -> (routes: [SimulatorRoute], parameters: [String: String])? {
        if let routes = apiRoutes[path] { return (routes, [:]) }
        for (template, routes) in templateRoutes {
            if let parameters = template.match(path) { return (routes, parameters) }
        }
        return nil
    }

    /// The path a request is counted, logged and matched by faults under: its route template if it has one.
    static func routePath(for path: String) -> String {
        guard apiRoutes[path] == nil else { return path }
        return templateRoutes.first { $0.template.match(path) != nil }?.template.text ?? path
    }

    /// Decides what to do with one complete request.
    func handle(_ request: SimulatorRequest) -> RouteOutcome {
        let isTokenRequest = request.path == OAuthRoutes.path
        let routePath = Self.routePath(for: request.path)
        if !isTokenRequest, let requestObserver {
            requestObserver(
                ObservedRequest(
                    method: request.method, path: request.path, query: request.query,
                    userAgent: request.headers.first(name: "User-Agent"), body: request.body))
        }
        let fault: SimulatorFault? = state.withLock { state in
            if isTokenRequest { state.counters.recordTokenRequest(grantType: OAuthRoutes.grantLabel(request)) }
            let fault = state.faults.take(request, routePath: routePath)
            state.requestLog.record(request, path: routePath, fault: fault)
            return fault
        }
        switch fault {
        case .status(let status, let retryAfter):
            return refuse(
                request, status: status, retryAfter: retryAfter.map(String.init), isTokenRequest: isTokenRequest)
        case .statusWithRawRetryAfter(let status, let retryAfter):
            return refuse(request, status: status, retryAfter: retryAfter, isTokenRequest: isTokenRequest)
        case .loginRateLimited:
            let response = isTokenRequest ? ErrorBodies.loginRateLimited() : ErrorBodies.tooManyRequests(retryAfter: 1)
            recordAPIStatus(request, response.status)
            return .respond(response, after: nil)
        case .malformedBody:
            recordAPIStatus(request, 200)
            let truncated = isTokenRequest ? #"{"access_token":"eyJ0eXAiOiJKV1Qi"# : #"{"entities":[{"id":"5f1c2a7e-"#
            return .respond(SimulatorResponse(status: 200, body: Array(truncated.utf8)), after: nil)
        case .truncatedBody:
            return served(request, isTokenRequest: isTokenRequest) {
                $0.body = Array($0.body.prefix($0.body.count / 2))
            }
        case .htmlPage:
            recordAPIStatus(request, 200)
            return .respond(ErrorBodies.proxyPage(), after: nil)
        case .oversizedBody(let bytes):
            return served(request, isTokenRequest: isTokenRequest) { response in
                response.body += [UInt8](repeating: UInt8(ascii: " "), count: max(0, bytes - response.body.count))
            }
        case .drip(let chunkBytes, let interval):
            let (response, _) = serve(request, isTokenRequest: isTokenRequest)
            return .drip(response, chunkBytes: max(1, chunkBytes), every: interval)
        case .tokenExpiresIn(let raw):
            return served(request, isTokenRequest: isTokenRequest) { response in
                guard isTokenRequest, response.status == 200 else { return }
                response.body = OAuthRoutes.replacingExpiresIn(of: response.body, with: raw)
            }
        case .revokeTokens:
            state.withLock { $0.revokeAccessTokens() }
            return served(request, isTokenRequest: isTokenRequest) { _ in }
        case .connectionReset:
            recordAPIStatus(request, 0)
            return .reset
        case .hang:
            recordAPIStatus(request, 0)
            return .hang
        case .delay(let delay):
            let (response, latency) = serve(request, isTokenRequest: isTokenRequest)
            return .respond(response, after: delay + latency)
        case nil:
            return served(request, isTokenRequest: isTokenRequest) { _ in }
        }
    }

    /// An injected error status with its realistic body and an optional raw `Retry-After`.
    private func refuse(
        _ request: SimulatorRequest, status: Int, retryAfter: String?, isTokenRequest: Bool
    ) -> RouteOutcome {
        let response =
            isTokenRequest
            ? ErrorBodies.oauthFault(status, retryAfter: retryAfter)
            : ErrorBodies.apiFault(status, retryAfter: retryAfter)
        recordAPIStatus(request, status)
        return .respond(response, after: nil)
    }

    /// The normal reply, changed by `alter`, after its configured latency.
    private func served(
        _ request: SimulatorRequest, isTokenRequest: Bool, alter: (inout SimulatorResponse) -> Void
    ) -> RouteOutcome {
        var (response, latency) = serve(request, isTokenRequest: isTokenRequest)
        alter(&response)
        return .respond(response, after: latency == .zero ? nil : latency)
    }

    /// The normal reply, and the extra latency configured for it.
    private func serve(_ request: SimulatorRequest, isTokenRequest: Bool) -> (SimulatorResponse, Duration) {
        let now = self.now()
        if isTokenRequest {
            return state.withLock { state in
                (OAuthRoutes.handle(request, state: &state, now: now), state.tokenEndpointLatency)
            }
        }
        let response = serveAPI(request, now: now)
        recordAPIStatus(request, response.status)
        return (response, .zero)
    }

    /// Whether an API request passed the token, rate-limit and permission checks.
    private enum Gate {
        case refused(SimulatorResponse)
        case admitted(TokenSubject, RateDecision)
    }

    private func serveAPI(_ request: SimulatorRequest, now: NIODeadline) -> SimulatorResponse {
        guard let (routes, parameters) = Self.routes(for: request.path) else {
            return ErrorBodies.notFound(path: request.path)
        }
        guard let route = routes.first(where: { $0.method == request.method }) else {
            return ErrorBodies.methodNotAllowed(
                method: request.method, allowed: routes.map(\.method).joined(separator: ", "))
        }
        // A public page (the status page) is another host in reality: no token, no rate limit, no permission.
        if route.isPublic { return route.handler(self, request, .client, parameters) }
        let authorization = request.headers.first(name: "Authorization")
        let gate: Gate = state.withLock { state in
            let subject: TokenSubject
            let token: String
            switch state.checkBearer(authorization, now: now) {
            case .valid(let validSubject, let validToken):
                (subject, token) = (validSubject, validToken)
            case .missing:
                return .refused(
                    ErrorBodies.api(
                        401, code: "authentication.required",
                        message: "No authentication bearer token specified in authorization header."))
            case .unknown, .revoked:
                return .refused(ErrorBodies.api(401, code: "bad.credentials", message: "Invalid login credentials."))
            case .expired:
                return .refused(
                    ErrorBodies.api(
                        401, code: "credentials.expired",
                        message: "The supplied credentials are expired and cannot be used."))
            }
            let decision = state.admit(token: token, now: now)
            if !decision.allowed {
                var limited = ErrorBodies.tooManyRequests(retryAfter: decision.resetSeconds)
                limited.headers += decision.headers
                return .refused(limited)
            }
            if let permission = route.permission, state.missingPermissions.contains(permission) {
                var forbidden = ErrorBodies.missingPermission(permission)
                forbidden.headers += decision.headers
                return .refused(forbidden)
            }
            return .admitted(subject, decision)
        }
        switch gate {
        case .refused(let refusal):
            return refusal
        case .admitted(let subject, let decision):
            var response = route.handler(self, request, subject, parameters)
            response.headers += decision.headers
            return response
        }
    }

    private func recordAPIStatus(_ request: SimulatorRequest, _ status: Int) {
        guard request.path != OAuthRoutes.path else { return }
        let path = Self.routePath(for: request.path)
        state.withLock { $0.counters.recordAPIRequest(path: path, status: status) }
    }

    // MARK: Connection bookkeeping (called by the channel handler)

    func connectionAccepted() {
        state.withLock { $0.counters.recordConnection() }
    }

    func tokenRequestStarted() {
        state.withLock { $0.counters.tokenRequestStarted() }
    }

    func tokenRequestFinished() {
        state.withLock { $0.counters.tokenRequestFinished() }
    }
}
