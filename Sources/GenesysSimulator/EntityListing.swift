/// The page-number paging every `…EntityListing` answer shares (queues, edges, trunks, phones): `pageSize` and
/// `pageNumber` checked as the API checks them, the page's entities and the envelope with its URIs.
enum EntityListing {
    static let defaultPageSize = 25

    /// A page of `count` entities made by `entity`, as the `…EntityListing` models carry it.
    static func page(
        _ request: SimulatorRequest, path: String, count: Int, maxPageSize: Int, entity: (Int) -> [String: Any]
    ) -> SimulatorResponse {
        guard let pageSize = integer(request.query["pageSize"], default: defaultPageSize),
            (1...max(1, maxPageSize)).contains(pageSize)
        else {
            return ErrorBodies.badRequest(
                "Value [\(request.query["pageSize"] ?? "")] for pageSize is invalid. "
                    + "It must be between 1 and \(maxPageSize).")
        }
        guard let pageNumber = integer(request.query["pageNumber"], default: 1), pageNumber >= 1 else {
            return ErrorBodies.badRequest(
                "Value [\(request.query["pageNumber"] ?? "")] for pageNumber is invalid. It must be greater than 0.")
        }
        let pageCount = (count + pageSize - 1) / pageSize
        let start = (pageNumber - 1).multipliedReportingOverflow(by: pageSize)
        var entities: [[String: Any]] = []
        if !start.overflow, start.partialValue < count {
            entities = (start.partialValue..<min(start.partialValue + pageSize, count)).map(entity)
        }
        func uri(_ page: Int) -> String { "\(path)?pageSize=\(pageSize)&pageNumber=\(page)" }
        var body: [String: Any] = [
            "entities": entities,
            "pageSize": pageSize,
            "pageNumber": pageNumber,
            "total": count,
            "pageCount": pageCount,
            "firstUri": uri(1),
            "selfUri": uri(pageNumber),
            "lastUri": uri(max(pageCount, 1)),
        ]
        if pageNumber < pageCount { body["nextUri"] = uri(pageNumber + 1) }
        if pageNumber > 1 { body["previousUri"] = uri(pageNumber - 1) }
        return .json(200, body)
    }

    /// nil when present but not a decimal integer.
    private static func integer(_ text: String?, default value: Int) -> Int? {
        guard let text else { return value }
        return Int(text)
    }
}
