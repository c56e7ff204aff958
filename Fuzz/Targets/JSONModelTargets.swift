import GenesysAPI
import GenesysAuth
import GenesysBase
import GenesysCollectors
import GenesysHTTP
import GenesysJSON

/// The JSON model decoders, each fed the body of the answer it decodes (jansson parse included).
enum JSONModelTargets {
    /// The grant only labels the result, so one grant covers the decoding (the rotated refresh token included).
    static func tokenResponse(_ data: [UInt8]) {
        let decoded: TokenGrantResult
        do {
            decoded = try TokenEndpoint.decode(
                success: HTTPResponse(status: 200, body: data), grant: .refreshToken,
                obtainedAt: .now, obtainedAtUnix: 1.8e9)
        } catch {
            FuzzTargets.require(error.reason == .malformedResponse, "a 200 body failed as \(error.reason)")
            _ = error.message
            return
        }
        let token = decoded.accessToken
        // Genesys issues 300 s to 48 h; anything else is refused or lowered to 48 h.
        let lifetimes: ClosedRange<Duration> = .seconds(1) ... .seconds(48 * 3600)
        FuzzTargets.require(lifetimes.contains(token.lifetime), "lifetime \(token.lifetime)")
        _ = (token.description, token.expiresAtUnix, token.remaining())
        _ = (decoded.refreshToken?.fingerprint, decoded.clampedFromSeconds)
    }

    /// Decoded in place from jansson (as the API client does) and from the Swift tree: both must agree.
    static func queuePage(_ data: [UInt8]) {
        guard let document = try? JSONParser.document(data), let json = try? JSONParser.parse(data) else { return }
        let inPlace = Result { () throws(JSONDecodingError) in try RoutingQueuesPage(document) }
        let fromTree = Result { () throws(JSONDecodingError) in try RoutingQueuesPage(JSONCursor(json)) }
        switch (inPlace, fromTree) {
        case (.success(let page), .success(let same)):
            FuzzTargets.require(
                page.entities == same.entities && page.total == same.total && page.pageCount == same.pageCount,
                "the two decodings differ")
        case (.failure(let error), .failure(let same)):
            FuzzTargets.require(error == same, "\(error) against \(same)")
        default:
            FuzzTargets.require(false, "one decoding failed, the other did not")
        }
    }

    static func observations(_ data: [UInt8]) {
        guard let document = try? JSONParser.document(data) else { return }
        var observed = QueueObservations()
        // Twice: the collector adds batch after batch into one value.
        for _ in 0..<2 {
            do { try observed.add(document) } catch { _ = error.description }
        }
    }

    /// Conversation aggregates, read in place and from the Swift tree: both must agree, and every value in range.
    static func aggregates(_ data: [UInt8]) {
        guard let document = try? JSONParser.document(data), let json = try? JSONParser.parse(data) else { return }
        var inPlace = ConversationAggregates()
        var fromTree = ConversationAggregates()
        let first = Result { () throws(JSONDecodingError) in try inPlace.add(document) }
        let second = Result { () throws(JSONDecodingError) in try fromTree.add(JSONCursor(json)) }
        switch (first, second) {
        case (.success, .success):
            FuzzTargets.require(inPlace.stats == fromTree.stats, "the two decodings differ")
            for metrics in inPlace.stats.values {
                for stats in metrics.values {
                    FuzzTargets.require(stats.count >= 0 && stats.sumMillis >= 0, "negative \(stats)")
                    FuzzTargets.require((stats.ratio ?? 0) <= 1 && (stats.target ?? 0) <= 1, "ratio over 1: \(stats)")
                }
            }
        case (.failure(let error), .failure(let same)): FuzzTargets.require(error == same, "\(error) against \(same)")
        default: FuzzTargets.require(false, "one decoding failed, the other did not")
        }
    }

    static func estimatedWait(_ data: [UInt8]) {
        guard let document = try? JSONParser.document(data), let json = try? JSONParser.parse(data) else { return }
        let inPlace = Result { () throws(JSONDecodingError) in try EstimatedWaitTime.seconds(document) }
        let fromTree = Result { () throws(JSONDecodingError) in try EstimatedWaitTime.seconds(JSONCursor(json)) }
        switch (inPlace, fromTree) {
        case (.success(let seconds), .success(let same)):
            FuzzTargets.require(seconds == same, "the two decodings differ")
            FuzzTargets.require(seconds.map { $0 >= 0 && $0 <= 604_800 } ?? true, "out of range: \(seconds!)")
        case (.failure(let error), .failure(let same)): FuzzTargets.require(error == same, "\(error) against \(same)")
        default: FuzzTargets.require(false, "one decoding failed, the other did not")
        }
    }

    /// An `observationDate`: whatever parses formats back to the same instant.
    static func timestamp(_ data: [UInt8]) {
        let text = String(decoding: data, as: UTF8.self)
        guard let millis = UTCTimestamp.parse(text) else { return }
        FuzzTargets.require(UTCTimestamp.range.contains(millis), "\(millis) out of range")
        let formatted = UTCTimestamp.format(unixMillis: millis)
        FuzzTargets.require(UTCTimestamp.parse(formatted) == millis, "\(text) -> \(millis) -> \(formatted)")
    }

    static func tokensMe(_ data: [UInt8]) { identity(data, Identity.client) }
    static func organizationsMe(_ data: [UInt8]) { identity(data, Identity.organization) }
    static func usersMe(_ data: [UInt8]) { identity(data, Identity.user) }

    private static func identity(
        _ data: [UInt8], _ decode: (JSONCursor) throws(JSONDecodingError) -> (id: String, name: String)
    ) {
        let document: JSONCursor
        do { document = try JSONParser.document(data) } catch { _ = error.description; return }
        let inPlace = Result { () throws(JSONDecodingError) in try decode(document) }
        let fromTree = Result { () throws(JSONDecodingError) in try decode(JSONCursor(document.value)) }
        switch (inPlace, fromTree) {
        case (.success(let identity), .success(let same)):
            FuzzTargets.require(identity == same, "the two decodings differ")
        case (.failure(let error), .failure(let same)): FuzzTargets.require(error == same, "\(error) against \(same)")
        default: FuzzTargets.require(false, "one decoding failed, the other did not")
        }
    }
}
