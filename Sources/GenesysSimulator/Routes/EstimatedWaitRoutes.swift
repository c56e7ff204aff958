/// `GET /api/v2/routing/queues/{queueId}/mediatypes/{mediaType}/estimatedwaittime`.
enum EstimatedWaitRoutes {
    static let template = PathTemplate("/api/v2/routing/queues/{queueId}/mediatypes/{mediaType}/estimatedwaittime")
    static let permission = "routing:queue:view"
    /// `intent` is the media type the estimate is for, in the SDK's spelling (its `PredictionResults.intent`:
    /// ALL, CALL, CALLBACK, CHAT, EMAIL, SOCIALEXPRESSION, VIDEOCOMM, MESSAGE), by `ObservationModel.mediaTypes`.
    static let intents = ["CALL", "CHAT", "EMAIL", "CALLBACK", "MESSAGE"]

    static func estimate(
        queueID: String, mediaType: String, catalog: QueueCatalog, model: ObservationModel, slot: Int
    ) -> SimulatorResponse {
        guard let media = AggregateModel.mediaIndex(mediaType) else {
            return ErrorBodies.badRequest(
                "Invalid media type [\(mediaType)]: expected one of voice, call, chat, email, callback, message.")
        }
        guard let index = catalog.index(ofQueueID: queueID) else {
            return ErrorBodies.api(404, code: "not.found", message: "Unable to find a queue with id \(queueID).")
        }
        let seconds = model.estimatedWait(queueIndex: index, media: media, slot: slot)
        return .json(
            200,
            [
                "results": [
                    ["intent": intents[media], "formula": "BEST", "estimatedWaitTimeSeconds": seconds]
                ]
            ])
    }
}

extension EstimatedWaitRoutes: SimulatorRouteFile {
    static let routes = [
        SimulatorRoute("GET", template.text, permission: permission) { core, _, _, parameters in
            let catalog = core.state.withLock { $0.catalog }
            return estimate(
                queueID: parameters["queueId"] ?? "", mediaType: parameters["mediaType"] ?? "", catalog: catalog,
                model: core.observations, slot: core.observations.slot(at: .now))
        }
    ]
}
