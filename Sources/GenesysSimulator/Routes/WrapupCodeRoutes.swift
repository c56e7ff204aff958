/// `GET /api/v2/routing/wrapupcodes`: the org's wrap-up codes (`WrapupCodeEntityListing`), from `WrapupCodeModel`.
enum WrapupCodeRoutes {
    static let path = "/api/v2/routing/wrapupcodes"
    static let permission = "routing:wrapupCode:view"
}

extension WrapupCodeRoutes: SimulatorRouteFile {
    static let routes = [
        SimulatorRoute("GET", path, permission: permission) { core, request, _, _ in
            let maxPageSize = core.state.withLock { $0.configuration.maxPageSize }
            return EntityListing.page(
                request, path: path, count: WrapupCodeModel.names.count, maxPageSize: maxPageSize,
                entity: WrapupCodeModel.object)
        }
    ]
}
