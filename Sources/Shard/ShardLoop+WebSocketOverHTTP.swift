import Hub
import IOUring
import Wire

/// WebSocket-over-HTTP: client events go to the backend as POSTs of
/// `application/websocket-events`, one request in flight per connection; the events in each
/// response come back to the client.
extension ShardLoop {
    /// Sends the pending events unless a request is already in flight (they wait for it).
    /// Waits while a failed request's backoff runs (`retryPending`), and after `detach`.
    func sendEvents(_ client: ClientConnection, _ session: WebSocketSession, force: Bool = false) {
        guard !session.requestInFlight, !session.retryPending, !session.detached, client.socket.isLive,
            force || !session.pendingEvents.isEmpty
        else { return }
        var headers = session.baseHeaders
        headers.add("Accept", "application/websocket-events")
        headers.add("Content-Type", "application/websocket-events")
        headers.add("Content-Length", String(session.pendingEvents.count))
        headers.add("Connection-Id", session.connectionID)
        for (name, value) in session.meta { headers.add("Meta-" + name, value) }
        if let signature = session.gripSignature {
            headers.add("Sec-WebSocket-Extensions", "grip")
            headers.add("Grip-Sig", signature)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(512 + session.pendingEvents.count)
        HTTPWriter.appendRequestHead(HTTPRequestHead(method: "POST", target: session.target, version: .http11, headers: headers), to: &bytes)
        bytes += session.pendingEvents
        session.inFlightEvents = session.pendingEvents
        session.pendingEvents = []
        if session.readPaused {
            // Room again: the client's unread input is decoded and its receive re-armed.
            session.readPaused = false
            resumeLater(client)
        }
        session.requestInFlight = true
        session.lastRequestNanos = now
        stats.webSocketEventRequests += 1

        var exchange = Exchange()
        exchange.method = "POST"
        exchange.purpose = .webSocketEvents
        exchange.requestComplete = true
        exchange.keepAlive = true
        exchange.forwardedHead = bytes
        exchange.candidates = session.candidates
        exchange.gripEnabled = false
        client.exchange = exchange
        connectBackend(client)
    }

    /// The backend answered an event request (the OPEN one included).
    func webSocketEventsResponse(_ client: ClientConnection, _ head: HTTPResponseHead, _ body: [UInt8]) {
        guard let session = client.webSocket else { return }
        session.requestInFlight = false
        let isEvents = head.status == 200
            && (head.headers["Content-Type"].map { $0.split(separator: ";").first?.trimmingSpaces.lowercased() == "application/websocket-events" } ?? false)
        let decoded = isEvents ? WebSocketOverHTTPCodec.decode(body) : .failure(WebSocketOverHTTPError(message: "not an events response"))
        guard case .success(var events) = decoded else {
            stats.webSocketEventFailures += 1
            if !session.opened {
                rejectOpen(client, head, body)  // the backend refused the WebSocket: relay its answer
            } else {
                failWebSocket(client, session, code: 1011, reason: "backend error")
            }
            return
        }
        applyEventHeaders(session, head)
        if !session.opened {
            guard let first = events.first, first == .open || (events.isEmpty && session.keepAliveIntervalNanos > 0) else {
                stats.webSocketEventFailures += 1
                stats.backendInvalidResponses += 1
                rejectOpen(client, HTTPResponseHead(version: .http11, status: 502, reason: "Bad Gateway", headers: HTTPHeaders()), Array(ProxyError.badBackendResponse.body.utf8))
                return
            }
            if !events.isEmpty { events.removeFirst() }
            session.opened = true
            enableGrip(session, head)
            acceptWebSocket(client, session, extraHeaders: Self.headersFor101(head.headers))
            resumeLater(client)  // frames the client sent right after its handshake
        }
        session.retries = 0
        session.inFlightEvents = []
        if session.clientGone {
            closeClient(client)
            return
        }
        for event in events where client.socket.isLive { backendEvent(client, session, event) }
        guard client.socket.isLive else { return }
        if session.closeReceived && session.closeSent {
            closeAfterQueue(client)
        } else if session.closeReceived && !session.detached && session.pendingEvents.isEmpty {
            // Our CLOSE went out and the backend did not answer with one: finish anyway.
            finishClose(client, session, code: 1000, reason: [])
        }
        sendEvents(client, session)
        armSessionTimer(client, session)
    }

    private func rejectOpen(_ client: ClientConnection, _ head: HTTPResponseHead, _ body: [UInt8]) {
        client.webSocket = nil
        client.exchange.keepAlive = false
        client.exchange.requestComplete = true
        var headers = HopByHop.stripped(head.headers, alsoRemove: ["content-length"])
        headers.add("Content-Length", String(body.count))
        headers.add("Connection", "close")
        var bytes: [UInt8] = []
        HTTPWriter.appendResponseHead(HTTPResponseHead(version: .http11, status: head.status, reason: head.reason, headers: headers), to: &bytes)
        bytes += body
        stats.countResponse(status: head.status)
        client.socket.sendQueue.append(bytes, pool: chunkPool)
        flushClient(client)
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
            session.keepAliveIntervalNanos = seconds > 0 ? Int64(max(seconds, 20)) * 1_000_000_000 : 0
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
            subscribe(client, to: session.channelPrefix + channel)
        case "unsubscribe":
            guard let channel = object["channel"]?.stringValue else { return }
            unsubscribe(client, from: session.channelPrefix + channel)
        case "detach":
            // Close the backend side (CLOSE event); the client stays, receiving publishes.
            WebSocketOverHTTPCodec.append(.close(code: 1000, reason: []), to: &session.pendingEvents)
            sendEvents(client, session)
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

    /// The event request failed (connect error, reset, timeout). The OPEN request fails the
    /// handshake (502); later requests are retried with backoff, then the client is closed.
    func webSocketBackendFailed(_ client: ClientConnection, _ error: ProxyError) {
        guard let session = client.webSocket else { return }
        session.requestInFlight = false
        stats.webSocketEventFailures += 1
        client.exchange = Exchange()
        if !session.opened {
            client.webSocket = nil
            client.exchange.requestComplete = true
            client.exchange.keepAlive = false
            respondLocally(client, status: error.status, body: error.body, closeAfter: true)
            return
        }
        if session.clientGone {
            closeClient(client)
            return
        }
        session.retries += 1
        guard session.retries <= WebSocketSession.retriesMax else {
            failWebSocket(client, session, code: 1011, reason: "backend unavailable")
            return
        }
        session.pendingEvents = session.inFlightEvents + session.pendingEvents
        session.inFlightEvents = []
        pauseIfFull(session)  // a fast client waits for the retry too
        let delay = Int64(1_000_000_000) << Int64(session.retries - 1) + Int64.random(in: 0..<1_000_000_000)
        session.retryPending = true
        scheduleSession(.webSocketRetry, client, session, afterNanos: delay)
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
        guard !session.retryPending else { return }  // the retry timer is armed; it re-arms this
        if session.keepAliveIntervalNanos > 0 && !session.detached {
            due = min(due, session.lastRequestNanos + session.keepAliveIntervalNanos)
        }
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
            session.retryPending = false
            sendEvents(client, session)
        case .webSocketKeepAlive:
            if session.keepAliveIntervalNanos > 0 && !session.requestInFlight
                && now - session.lastRequestNanos >= session.keepAliveIntervalNanos
            {
                sendEvents(client, session, force: true)
            }
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
