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

    /// An endpoint's answer decoded from the tape (as the API client reads it) and from jansson's Swift tree: both
    /// readings must agree. The decoders range-check every number themselves.
    static func answer(_ data: [UInt8], _ decoder: AnswerDecoder) {
        jsonTape(data)
        guard let document = try? JSONTape.document(data), let tree = try? JSONParser.parse(data) else { return }
        if let disagreement = decoder.disagreement(inPlace: document, fromTree: JSONCursor(tree)) {
            FuzzTargets.require(false, disagreement)
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

    /// Any bytes through the tape (`JSONTape`, which reads notification frames) and through jansson: both must
    /// accept the same documents and read the same values from them.
    /// One difference is allowed: a raw NUL byte is never JSON and the tape refuses it anywhere, where jansson
    /// skips one that follows a number or a literal (its reader takes a 0 in its look-ahead for "nothing saved").
    static func jsonTape(_ data: [UInt8]) {
        let tape = Result { () throws(JSONParseError) in try JSONTape.document(data).value }
        if data.contains(0) {
            if case .success = tape { FuzzTargets.require(false, "the tape accepted a raw NUL byte") }
            return
        }
        let jansson = Result { () throws(JSONParseError) in try JSONParser.parse(data) }
        switch (tape, jansson) {
        case (.success(let fromTape), .success(let fromJansson)):
            FuzzTargets.require(fromTape == fromJansson, "the tape read \(fromTape), jansson \(fromJansson)")
        case (.failure, .failure): break
        case (.success, .failure(let error)):
            FuzzTargets.require(false, "the tape accepted what jansson refused: \(error)")
        case (.failure(let error), .success):
            FuzzTargets.require(false, "the tape refused what jansson accepted: \(error)")
        }
    }

    /// A notification channel's text frame: whatever reads yields bounded queue and user ids, bounded media labels,
    /// counts within their ranges, and user statuses and presences that are short upper-case values.
    static func notification(_ data: [UInt8]) {
        guard let message = try? NotificationMessage(frame: data) else { return }
        switch message {
        case .userRoutingStatus(let update):
            FuzzTargets.require((1...64).contains(update.userID.utf8.count), "user id '\(update.userID)'")
            FuzzTargets.require((1...32).contains(update.status.utf8.count), "status '\(update.status)'")
            return
        case .userPresence(let update):
            FuzzTargets.require((1...64).contains(update.userID.utf8.count), "user id '\(update.userID)'")
            FuzzTargets.require((update.presenceID?.utf8.count ?? 1) <= 64, "presence id '\(update.presenceID ?? "")'")
            FuzzTargets.require(
                (update.systemPresence?.utf8.count ?? 1) <= 9, "presence '\(update.systemPresence ?? "")'")
            return
        default: break
        }
        guard case .queueObservation(let update) = message else { return }
        FuzzTargets.require((1...64).contains(update.queueID.utf8.count), "queue id '\(update.queueID)'")
        for (media, counts) in update.byMedia {
            FuzzTargets.require((1...32).contains(media.utf8.count), "media label '\(media)'")
            for value in [counts.waiting, counts.interacting, counts.alerting] {
                FuzzTargets.require(value >= 0 && value.isFinite, "count \(value)")
            }
            if let waited = counts.longestWaitingMillis {
                FuzzTargets.require(waited >= 0 && waited <= 315_576_000_000, "wait \(waited)")
            }
        }
    }
}
