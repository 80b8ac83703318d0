import Glibc
import Hub
import Wire

/// `POST /publish/`: validate, encode once, hand to the shards that have subscribers.
extension ControlLoop {
    func handlePublish(_ connection: ControlConnection, _ head: HTTPRequestHead, body: ArraySlice<UInt8>) {
        guard let format = admitCommand(connection, head) else { return }
        switch PublishRequestParser.parse(body: body) {
        case .failure(let error):
            controlStats.publishesRejected += 1
            respond(connection, status: error.status, body: error.message + "\n")
        case .success(let items):
            // Subscriptions the shards reported before this request arrived must count.
            drainReports()
            broadcastPublished(items)
            respondDone(connection, format, message: "Published")
        }
    }

    /// What `/publish/` and `/recover/` both check: POST, an Accept we can answer, and the
    /// bearer token when `push_in_http_key` is set. Nil when it failed and was answered.
    func admitCommand(_ connection: ControlConnection, _ head: HTTPRequestHead) -> ResponseFormat? {
        guard head.method == "POST" else {
            respond(connection, status: 405, body: "Method not allowed: \(head.method).\n", extra: [("Allow", "POST")])
            return nil
        }
        guard let format = ResponseFormat.negotiate(head.headers["Accept"]) else {
            respond(connection, status: 406, body: "Not Acceptable. Supported formats are text/plain and application/json.\n")
            return nil
        }
        if let key = configuration.publishKey {
            if let problem = PublishAuthorization.check(head.headers["Authorization"], key: key, nowSeconds: Clock.wallSeconds()) {
                controlStats.publishesUnauthorized += 1
                respond(connection, status: 401, body: "Unauthorized: \(problem).\n", extra: [("WWW-Authenticate", "Bearer")])
                return nil
            }
        }
        return format
    }

    /// 200 with `message` as text, or as a JSON object when that was asked for.
    func respondDone(_ connection: ControlConnection, _ format: ResponseFormat, message: String) {
        if message == "Published", connection.request.version == .http11, connection.request.keepAlive,
            !connection.request.headOnly, !shuttingDown
        {
            // The common answer, encoded once: a publish builds no headers or strings for it.
            respond(connection, encoded: format == .text ? Self.publishedText : Self.publishedJSON)
            return
        }
        switch format {
        case .text: respond(connection, status: 200, body: message + "\n")
        case .json: respond(connection, status: 200, body: "{\"message\":\"\(message)\"}\n", contentType: "application/json")
        }
    }

    /// Passes each validated item through the sequencer and delivers what it lets out.
    func broadcastPublished(_ items: [PublishItem]) {
        let acceptedAt = Clock.nowNanos()
        // By index, reading fields in place: a loop variable would copy every item.
        for index in items.indices {
            controlStats.messagesPublished += 1
            let subscribed = !interest.shards(for: items[index].channel).isEmpty
            // Without subscribers or an id the sequencer lets the item straight out and
            // `deliver` drops it: only the statistics see it.
            guard subscribed || items[index].id != nil else {
                if statsTracker != nil { statsPublished(items[index]) }
                continue
            }
            for release in sequencer.offer(items[index], subscribed: subscribed, now: acceptedAt) { deliver(release) }
        }
    }

    /// Parked items whose `message_wait` ended; called every loop turn.
    func releaseParkedPublishes() {
        guard let deadline = sequencer.nextDeadline, deadline <= now else { return }
        for release in sequencer.expire(now: now) { deliver(release) }
    }

    /// Encodes the item once and hands it to the shards with subscribers, in shard order;
    /// an item nobody subscribes to is not encoded at all.
    private func deliver(_ release: PublishSequencer.Release) {
        statsPublished(release.item)
        let shards = interest.shards(for: release.item.channel)
        guard !shards.isEmpty else { return }
        let message = PublishEncoder.message(for: release.item, acceptedAtNanos: release.offeredAt)
        for shard in broadcaster.links.indices where shards.contains(shard) {
            broadcaster.send(.publish(message), to: shard, ring: ring)
        }
    }
}

extension ControlLoop {
    static let publishedText = HTTPWriter.simpleResponse(
        status: 200, reason: "OK", body: "Published\n", close: false, extraHeaders: HTTPHeaders([("Content-Type", "text/plain")]))
    static let publishedJSON = HTTPWriter.simpleResponse(
        status: 200, reason: "OK", body: "{\"message\":\"Published\"}\n", close: false,
        extraHeaders: HTTPHeaders([("Content-Type", "application/json")]))
}

/// Success bodies follow the Accept header (errors are always text), as Pushpin's API does.
enum ResponseFormat {
    case text
    case json

    /// nil: an Accept header naming nothing we serve (406).
    static func negotiate(_ accept: String?) -> ResponseFormat? {
        guard let accept else { return .text }
        var chosen: ResponseFormat? = nil
        for item in accept.split(separator: ",") {
            let type = item.split(separator: ";").first.map { $0.trimmingCharacters(in: " \t").lowercased() } ?? ""
            switch type {
            case "text/plain", "text/*", "*/*", "*": chosen = .text
            case "application/json", "application/*": chosen = .json
            default: continue
            }
        }
        return chosen
    }
}

/// The optional bearer-token check on publishing (`push_in_http_key`): an HS256 JWT with an
/// `exp` claim, which is what the GRIP client libraries send when given a key.
enum PublishAuthorization {
    /// nil when authorised, else the reason.
    static func check(_ header: String?, key: [UInt8], nowSeconds: Int) -> String? {
        guard let header else { return "missing Authorization header" }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return "expected a Bearer token" }
        switch JWT.verifyHS256(String(parts[1]).trimmingCharacters(in: " \t"), key: key, now: nowSeconds) {
        case .success: return nil
        case .failure(.expired): return "token expired"
        case .failure(.missingExpiry): return "token has no exp claim"
        case .failure(.badSignature): return "invalid token signature"
        case .failure(.unsupportedAlgorithm): return "token algorithm must be HS256"
        case .failure(.malformed): return "malformed token"
        }
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var slice = self
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String { self[...].trimmingCharacters(in: set) }
}
