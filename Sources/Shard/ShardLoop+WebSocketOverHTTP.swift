import Hub
import IOUring
import Wire

/// WebSocket-over-HTTP: client events go to the backend as POSTs of
/// `application/websocket-events`, one request in flight per connection; the events in each
/// response come back to the client.
extension ShardLoop {
    /// Queues a client event for the backend and sends it unless a request is in flight.
    func queueEvent(_ client: ClientConnection, _ session: WebSocketSession, _ event: WebSocketOverHTTPEvent) {
        let wasPaused = session.requester.readPaused
        session.requester.queue(event)
        sendEvents(client, session)
        if !wasPaused && session.requester.readPaused { stats.webSocketBackpressurePauses += 1 }
    }

    /// Sends the pending events unless a request is in flight or a failed one's backoff
    /// runs (they wait for it), and never after `detach`. `keepAlive`: send even with no
    /// events (the backend's Keep-Alive-Interval).
    func sendEvents(_ client: ClientConnection, _ session: WebSocketSession, keepAlive: Bool = false) {
        guard !session.detached, client.socket.isLive, session.requester.mayRequest(keepAlive: keepAlive) else { return }
        let events = session.requester.pending
        var headers = session.baseHeaders
        headers.add("Accept", "application/websocket-events")
        headers.add("Content-Type", "application/websocket-events")
        headers.add("Content-Length", String(events.count))
        headers.add("Connection-Id", session.connectionID)
        for (name, value) in session.meta { headers.add("Meta-" + name, value) }
        if let signature = session.gripSignature {
            headers.add("Sec-WebSocket-Extensions", "grip")
            headers.add("Grip-Sig", signature)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(512 + events.count)
        HTTPWriter.appendRequestHead(HTTPRequestHead(method: "POST", target: session.target, version: .http11, headers: headers), to: &bytes)
        bytes += events
        let exchange = ProxyExchange(
            method: "POST", clientVersion: .http11, clientKeepAlive: true, handling: .collect(limit: collectedEventsMax),
            requestBody: .none, forwardedHead: bytes, candidateCount: session.candidates.count)
        if session.requester.begin(exchange, nowNanos: now) {
            resumeLater(client)  // room again: the client's unread input is decoded and its receive re-armed
        }
        stats.webSocketEventRequests += 1
        startExchange(client, .events)
    }

    /// Largest WebSocket-over-HTTP events body: Pushpin's 1 MB, plus room for one message of
    /// `websocket_message_max` (a backend echoing a large message answers with it).
    var collectedEventsMax: Int { configuration.webSocketEventsBodyMax + configuration.webSocketMessageMax }

    /// A session's event requests, with the shard's high-water mark and retry policy.
    func eventRequester() -> EventRequester {
        EventRequester(
            highWaterBytes: configuration.webSocketEventsHighWater, retriesMax: configuration.webSocketRetriesMax,
            retryBaseNanos: configuration.webSocketRetryBaseNanos, retryJitterNanos: configuration.webSocketRetryJitterNanos)
    }

    /// The backend answered an event request (the OPEN one included).
    func eventsAnswered(_ client: ClientConnection, _ head: HTTPResponseHead, _ body: [UInt8]) {
        guard let session = client.webSocket else { return }
        let isEvents = head.status == 200
            && (head.headers["Content-Type"].map { $0.split(separator: ";").first?.trimmingSpaces.lowercased() == "application/websocket-events" } ?? false)
        let decoded = isEvents ? WebSocketOverHTTPCodec.decode(body) : .failure(WebSocketOverHTTPError(message: "not an events response"))
        let events: [WebSocketOverHTTPEvent]? = if case .success(let list) = decoded { list } else { nil }
        switch session.requester.answered(isEvents: events != nil) {
        case .deliver:
            break
        case .relayRefusal:
            stats.webSocketEventFailures += 1
            rejectOpen(client, head, body)  // the backend refused the WebSocket: relay its answer
            return
        case .close(let code):
            stats.webSocketEventFailures += 1
            failWebSocket(client, session, code: code, reason: "backend error")
            return
        case .refuseOpen, .retry:
            preconditionFailure("an answered request is not retried")
        }
        guard var events else { return }
        applyEventHeaders(session, head)
        if !session.requester.opened {
            guard let first = events.first, first == .open || (events.isEmpty && session.requester.keepAliveIntervalNanos > 0) else {
                stats.webSocketEventFailures += 1
                stats.backendInvalidResponses += 1
                rejectOpen(client, HTTPResponseHead(version: .http11, status: 502, reason: "Bad Gateway", headers: HTTPHeaders()), Array(ProxyError.badBackendResponse.body.utf8))
                return
            }
            if !events.isEmpty { events.removeFirst() }
            session.requester.open()
            enableGrip(session, head)
            acceptWebSocket(client, session, extraHeaders: Self.headersFor101(head.headers))
            resumeLater(client)  // frames the client sent right after its handshake
        }
        if session.clientGone {
            closeClient(client)
            return
        }
        for event in events where client.socket.isLive { backendEvent(client, session, event) }
        guard client.socket.isLive else { return }
        if session.closeReceived && session.closeSent {
            closeAfterQueue(client)
        } else if session.closeReceived && !session.detached && session.requester.pending.isEmpty {
            // Our CLOSE went out and the backend did not answer with one: finish anyway.
            finishClose(client, session, code: 1000, reason: [])
        }
        sendEvents(client, session)
        armSessionTimer(client, session)
    }

    private func rejectOpen(_ client: ClientConnection, _ head: HTTPResponseHead, _ body: [UInt8]) {
        client.webSocket = nil
        client.exchange.keepAlive = false
        client.exchange.requestDecoder = nil
        var headers = HopByHop.stripped(head.headers, alsoRemove: ["content-length"])
        headers.add("Content-Length", String(body.count))
        headers.add("Connection", "close")
        var bytes: [UInt8] = []
        HTTPWriter.appendResponseHead(HTTPResponseHead(version: .http11, status: head.status, reason: head.reason, headers: headers), to: &bytes)
        bytes += body
        stats.countResponse(status: head.status)
        client.socket.sendQueue.append(bytes, pool: chunkPool)
        queueClientFlush(client)
        finishExchange(client, closeAfter: true)
    }

    /// Headers of the OPEN response that the client's 101 carries (Sec-WebSocket-Protocol …).
    private static func headersFor101(_ headers: HTTPHeaders) -> HTTPHeaders {
        let dropped = ["content-length", "content-type", "keep-alive-interval", "sec-websocket-extensions", "sec-websocket-accept"]
        var kept = HTTPHeaders()
        for (name, value) in HopByHop.stripped(headers, alsoRemove: dropped).removingGripFields() {
            if name.utf8.count > 9 && HTTPHeaders.namesEqual(String(name.prefix(9)), "set-meta-") { continue }
            kept.add(name, value)
        }
        return kept
    }

    private func applyEventHeaders(_ session: WebSocketSession, _ head: HTTPResponseHead) {
        for (name, value) in head.headers where name.utf8.count > 9 && HTTPHeaders.namesEqual(String(name.prefix(9)), "set-meta-") {
            let key = String(name.dropFirst(9))
            session.meta.removeAll { HTTPHeaders.namesEqual($0.name, key) }
            if !value.isEmpty { session.meta.append((key, value)) }
        }
        if let text = head.headers["Keep-Alive-Interval"], let seconds = Int(text.trimmingSpaces) {
            session.requester.keepAliveIntervalNanos = seconds > 0 ? Int64(max(seconds, 20)) * 1_000_000_000 : 0
        }
    }

    private func enableGrip(_ session: WebSocketSession, _ head: HTTPResponseHead) {
        for value in head.headers.values("Sec-WebSocket-Extensions") {
            for item in value.split(separator: ",") {
                let parts = item.split(separator: ";").map { $0.trimmingSpaces }
                guard parts.first.map({ HTTPHeaders.namesEqual($0, "grip") }) == true else { continue }
                session.gripEnabled = true
                for parameter in parts.dropFirst() where parameter.lowercased().hasPrefix("message-prefix=") {
                    var prefix = String(parameter.dropFirst("message-prefix=".count))
                    if prefix.hasPrefix("\"") && prefix.hasSuffix("\"") && prefix.count >= 2 { prefix = String(prefix.dropFirst().dropLast()) }
                    session.messagePrefix = Array(prefix.utf8)
                }
            }
        }
    }

    private func backendEvent(_ client: ClientConnection, _ session: WebSocketSession, _ event: WebSocketOverHTTPEvent) {
        switch event {
        case _ where session.detached:
            return  // the backend side is closed; only publishes reach the client now
        case .text(let payload), .binary(let payload):
            let opcode: WebSocketOpcode = if case .text = event { .text } else { .binary }
            guard session.gripEnabled else {
                sendFrame(client, session, opcode, payload)
                return
            }
            if opcode == .text && payload.starts(with: Self.controlPrefix) {
                controlMessage(client, session, Array(payload.dropFirst(2)))
            } else if payload.starts(with: session.messagePrefix) {
                sendFrame(client, session, opcode, Array(payload.dropFirst(session.messagePrefix.count)))
            }  // else: not for the client (GRIP drops unprefixed messages)
        case .ping(let payload):
            sendFrame(client, session, .ping, payload)
        case .pong(let payload):
            sendFrame(client, session, .pong, payload)
        case let .close(code, reason):
            if !session.closeSent {
                sendFrame(client, session, .close, WebSocketEncoder.closePayload(code: code, reason: reason))
                session.closeSent = true
            }
            if session.closeReceived { closeAfterQueue(client) }
        case .disconnect, .open:
            closeClient(client)
        }
    }

    private static let controlPrefix = Array("c:".utf8)

    /// GRIP control messages (`c:` + JSON) from the backend.
    private func controlMessage(_ client: ClientConnection, _ session: WebSocketSession, _ json: [UInt8]) {
        guard let object = (try? JSONValue.parse(json))?.objectValue, let type = object["type"]?.stringValue else {
            logger.debug("ignoring malformed GRIP control message")
            return
        }
        switch type {
        case "subscribe":
            guard let channel = object["channel"]?.stringValue, !channel.isEmpty,
                client.subscriptions.count < configuration.subscriptionsPerConnectionMax
            else { return }
            let name = session.channelPrefix + channel
            let filters = GripFilter.parse((object["filters"]?.arrayValue ?? []).compactMap(\.stringValue))
            if !filters.isEmpty && !client.subscriptions.contains(where: { $0.channel.name == name }) {
                let sessionFilters = client.filters ?? SessionFilters(meta: [], channels: [])
                sessionFilters.channels.append(.init(name: channel, subscribedName: name, filters: filters))
                client.filters = sessionFilters
            }
            subscribe(client, to: name, filtered: !filters.isEmpty)
        case "unsubscribe":
            guard let channel = object["channel"]?.stringValue else { return }
            unsubscribe(client, from: session.channelPrefix + channel)
        case "detach":
            // Close the backend side (CLOSE event); the client stays, receiving publishes.
            queueEvent(client, session, .close(code: 1000, reason: []))
            session.detached = true
        case "set-meta":
            guard let name = object["name"]?.stringValue, !name.isEmpty else { return }
            let value = object["value"]?.stringValue
            // Sent back as a `Meta-<name>` request field: a CR or LF would add fields of its own.
            if let problem = HTTPFieldRules.fieldProblem(name: "Meta-" + name, value: value ?? "") {
                stats.backendInvalidResponses += 1
                logger.warning("ignoring set-meta control message from backend: \(problem)")
                return
            }
            session.meta.removeAll { HTTPHeaders.namesEqual($0.name, name) }
            if let value { session.meta.append((name, value)) }
        case "keep-alive":
            configureClientKeepAlive(session, object)
            armSessionTimer(client, session)
        default:
            logger.debug("ignoring GRIP control message of type \(type)")
        }
    }

    private func configureClientKeepAlive(_ session: WebSocketSession, _ object: JSONObject) {
        var content: [UInt8] = []
        if let text = object["content-bin"]?.stringValue, let bytes = Base64.decodeCanonical(text) {
            content = bytes
        } else if let text = object["content"]?.stringValue {
            content = Array(text.utf8)
        }
        guard !content.isEmpty else {
            session.clientKeepAliveNanos = 0
            return
        }
        let opcode: WebSocketOpcode =
            switch object["message-type"]?.stringValue {
            case "binary": .binary
            case "ping": .ping
            case "pong": .pong
            default: .text
            }
        let timeout = object["timeout"]?.intValue ?? 55
        session.clientKeepAliveFrame = WebSocketEncoder.frame(opcode: opcode, payload: Array(content.prefix(opcode.isControl ? 125 : content.count)))
        session.clientKeepAliveNanos = Int64(timeout > 0 ? timeout : 55) * 1_000_000_000
    }

    /// The event request failed (connect error, reset, timeout, a bad response). The OPEN
    /// request fails the handshake; later requests are retried with backoff, then the client
    /// is closed.
    func eventsFailed(_ client: ClientConnection, _ error: ProxyError) {
        guard let session = client.webSocket else { return }
        stats.webSocketEventFailures += 1
        let wasPaused = session.requester.readPaused
        let outcome = session.requester.failed(error, nowNanos: now, random: &random)
        if case .refuseOpen(let error) = outcome {
            client.webSocket = nil
            client.exchange.requestDecoder = nil
            client.exchange.keepAlive = false
            respondLocally(client, status: error.status, body: error.body, closeAfter: true)
            return
        }
        if session.clientGone {
            closeClient(client)
            return
        }
        switch outcome {
        case .retry(let deadline):
            if !wasPaused && session.requester.readPaused { stats.webSocketBackpressurePauses += 1 }
            scheduleSession(.webSocketRetry, client, session, afterNanos: deadline - now)
        case .close(let code):
            failWebSocket(client, session, code: code, reason: "backend unavailable")
        case .deliver, .relayRefusal, .refuseOpen:
            preconditionFailure("a failed request delivers nothing")
        }
    }

    // MARK: timers

    func scheduleSession(_ kind: TimerKind, _ client: ClientConnection, _ session: WebSocketSession, afterNanos: Int64) {
        session.timerToken &+= 1
        timers.schedule(
            kind: kind.rawValue, slot: client.slot, generation: client.socket.generation, token: session.timerToken,
            deadlineNanos: now + afterNanos)
    }

    /// The next of: the backend keep-alive request (Keep-Alive-Interval), the client
    /// keep-alive message (`keep-alive` control message).
    func armSessionTimer(_ client: ClientConnection, _ session: WebSocketSession) {
        var due = Int64.max
        guard !session.requester.backingOff else { return }  // the retry timer is armed; it re-arms this
        if let keepAliveDue = session.requester.keepAliveDueNanos, !session.detached { due = min(due, keepAliveDue) }
        if session.clientKeepAliveNanos > 0 { due = min(due, session.lastClientSendNanos + session.clientKeepAliveNanos) }
        guard due != Int64.max else { return }
        scheduleSession(.webSocketKeepAlive, client, session, afterNanos: max(due - now, timers.tickNanos))
    }

    func sessionTimerFired(_ entry: TimerWheel.Entry) {
        guard let client = clients.live(entry.handle), let session = client.webSocket,
            session.timerToken == entry.token
        else { return }
        switch TimerKind(rawValue: entry.kind) {
        case .webSocketRetry:
            session.requester.retryDue()
            sendEvents(client, session)
        case .webSocketKeepAlive:
            if session.requester.keepAliveDue(nowNanos: now) { sendEvents(client, session, keepAlive: true) }
            if session.clientKeepAliveNanos > 0 && !session.closeSent && now - session.lastClientSendNanos >= session.clientKeepAliveNanos {
                client.socket.sendQueue.append(session.clientKeepAliveFrame, pool: chunkPool)
                session.lastClientSendNanos = now
                flushClient(client)
            }
            armSessionTimer(client, session)
        default:
            break
        }
    }
}
