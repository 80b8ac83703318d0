import Hub
import IOUring
import Wire

/// WebSocket clients: the handshake, frames from the client, and what the shard sends back.
extension ShardLoop {
    /// An upgrade request matched route `routeIndex`. Test handler and over_http targets become
    /// a session in this shard; other targets are passed through to a WebSocket backend.
    func startWebSocket(_ client: ClientConnection, _ head: HTTPRequestHead, route routeIndex: Int, path: String) {
        let route = routing.table.routes[routeIndex]
        let target = route.targets[0]
        let key: String
        switch WebSocketHandshake.validate(head) {
        case .success(let value):
            key = value
        case .failure(let error):
            stats.webSocketHandshakeRejections += 1
            client.exchange.keepAlive = false
            respondLocally(
                client, status: error.status, body: "Bad WebSocket handshake: \(error.reason).\n", closeAfter: true,
                extraHeaders: error.headers)
            return
        }
        switch target.kind {
        case .test:
            let testPath = Self.removingPrefix(route.condition.pathBeg, from: path)
            guard testPath == "/ws" else {
                respondLocally(client, status: 404, body: "no such test resource\n", closeAfter: false)
                return
            }
            let session = WebSocketSession(
                mode: .testHandler, clientKey: key, maxMessageBytes: configuration.webSocketMessageMax, connectionIDBits: (0, 0),
                target: head.target, baseHeaders: HTTPHeaders(), candidates: [], gripSignature: nil, requester: eventRequester(),
                compression: compression(for: head))
            client.webSocket = session
            acceptWebSocket(client, session, extraHeaders: HTTPHeaders())
            var channels = QueryString.values(of: "channel", in: Self.query(of: head.target)).filter { !$0.isEmpty }
            if channels.isEmpty { channels = ["test"] }
            for channel in channels.prefix(configuration.subscriptionsPerConnectionMax) {
                subscribe(client, to: (route.prefix ?? "") + channel)
            }
        case .http where target.overHTTP:
            var eventTarget = RequestForwarding.originForm(head.target)
            var eventHeaders = Self.eventRequestHeaders(from: head.headers, grip: !route.noGrip)
            if let rewrite = resolvedRoutes[routeIndex].rewrite {
                rewrite.apply(to: &eventHeaders)
                eventTarget = rewrite.target(eventTarget)
            }
            let session = WebSocketSession(
                mode: .overHTTP, clientKey: key, maxMessageBytes: configuration.webSocketMessageMax,
                connectionIDBits: Self.newConnectionID(), target: eventTarget,
                baseHeaders: eventHeaders, candidates: resolvedRoutes[routeIndex].candidates,
                gripSignature: gripSignature(route: routeIndex), requester: eventRequester(),
                compression: compression(for: head))
            session.channelPrefix = route.prefix ?? ""
            client.webSocket = session
            session.requester.queue(.open)
            sendEvents(client, session)
        case .http:
            startPassthrough(client, head, route: routeIndex)
        case .zhttp:
            respondProxyError(client, .noRoute)
        }
    }

    static func query(of target: String) -> String {
        guard let question = target.firstIndex(of: "?") else { return "" }
        return String(target[target.index(after: question)...])
    }

    private static func newConnectionID() -> (UInt64, UInt64) {
        var generator = SystemRandomNumberGenerator()
        return (generator.next(), generator.next())
    }

    /// The client's headers as repeated on every event request: without the handshake's
    /// own fields, hop-by-hop fields, lengths and any Meta-* the client tried to set; with
    /// `grip`, pushpind's `Grip-Feature` (the client's own Grip-* never pass).
    private static func eventRequestHeaders(from headers: HTTPHeaders, grip: Bool) -> HTTPHeaders {
        let dropped = [
            "upgrade", "accept", "connection-id", "content-length", "content-type", "sec-websocket-key",
            "sec-websocket-version", "sec-websocket-extensions",
        ]
        var kept = HTTPHeaders()
        for (name, value) in HopByHop.stripped(headers, alsoRemove: dropped).removingGripFields() {
            if name.utf8.count > 5 && HTTPHeaders.namesEqual(String(name.prefix(5)), "meta-") { continue }
            kept.add(name, value)
        }
        if grip { kept.add("Grip-Feature", RequestForwarding.gripFeatures) }
        return kept
    }

    /// permessage-deflate, when `allow_compression` is on and the client offers it.
    private func compression(for head: HTTPRequestHead) -> (response: String, inflater: MessageInflater)? {
        guard configuration.allowCompression,
            let offer = PerMessageDeflateOffer.accept(head.headers.values("Sec-WebSocket-Extensions")),
            let inflater = MessageInflater(resetEachMessage: offer.clientResets)
        else { return nil }
        return (offer.response, inflater)
    }

    /// Sends the 101 and switches the connection to WebSocket framing.
    func acceptWebSocket(_ client: ClientConnection, _ session: WebSocketSession, extraHeaders: HTTPHeaders) {
        var extraHeaders = extraHeaders
        if let compression = session.compression { extraHeaders.add("Sec-WebSocket-Extensions", compression.response) }
        let bytes = WebSocketHandshake.switchingProtocols(
            accept: WebSocketHandshake.acceptValue(forKey: session.clientKey), extraHeaders: extraHeaders)
        stats.countResponse(status: 101)
        stats.webSocketSessionsOpened += 1
        webSocketOpenCount += 1
        session.accepted = true
        statsConnected(client)
        session.clientKey = ""  // answered; not kept for the session's lifetime
        client.socket.sendQueue.append(bytes, pool: chunkPool)
        queueClientFlush(client)
        client.exchange = Exchange()
        client.phase = .webSocket
        session.lastClientSendNanos = now
        client.socket.timerToken &+= 1
        if configuration.webSocketPingNanos > 0 {
            // Idle keep-alive: a ping after this much silence (a `keep-alive` control message
            // from a GRIP backend replaces it).
            session.clientKeepAliveFrame = WebSocketEncoder.frame(opcode: .ping, payload: [])
            session.clientKeepAliveNanos = configuration.webSocketPingNanos
            armSessionTimer(client, session)
        }
    }

    // MARK: frames from the client

    /// Decodes and handles the client's frames one event at a time, and stops between two
    /// messages once the session has no room for more (`readPaused`); returns the bytes used.
    /// The rest stays in `inbound` until a request takes the queued events.
    func webSocketInput(_ client: ClientConnection, _ bytes: UnsafeRawBufferPointer) -> Int {
        guard let session = client.webSocket, !session.clientGone else { return bytes.count }
        var offset = 0
        while offset < bytes.count && client.socket.isLive && !session.requester.readPaused {
            var decoded: (event: WebSocketEvent, compressed: Bool)? = nil
            do {
                offset += try session.decoder.decodeNext(UnsafeRawBufferPointer(rebasing: bytes[offset...])) { decoded = ($0, $1) }
            } catch {
                failWebSocketInput(client, session, error)
                return bytes.count
            }
            guard let (event, compressed) = decoded else { break }
            guard compressed else {
                webSocketEvent(client, session, event)
                continue
            }
            guard let inflated = inflate(event, session) else {
                failWebSocketInput(client, session, WebSocketError(closeCode: 1007, reason: "invalid compressed message"))
                return bytes.count
            }
            webSocketEvent(client, session, inflated)
        }
        return client.socket.isLive ? offset : bytes.count
    }

    private func failWebSocketInput(_ client: ClientConnection, _ session: WebSocketSession, _ failure: WebSocketError) {
        guard client.socket.isLive else { return }
        stats.webSocketProtocolErrors += 1
        failWebSocket(client, session, code: failure.closeCode, reason: failure.reason)
    }

    /// A compressed text or binary message, inflated (and for text, checked to be UTF-8);
    /// nil when the data is bad or too large.
    private func inflate(_ event: WebSocketEvent, _ session: WebSocketSession) -> WebSocketEvent? {
        guard let inflater = session.compression?.inflater else { return nil }
        switch event {
        case .text(let payload):
            guard let bytes = inflater.inflate(payload, maxBytes: session.maxMessageBytes), Self.isUTF8(bytes) else { return nil }
            return .text(bytes)
        case .binary(let payload):
            return inflater.inflate(payload, maxBytes: session.maxMessageBytes).map { .binary($0) }
        default:
            return event
        }
    }

    private static func isUTF8(_ bytes: [UInt8]) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    private func webSocketEvent(_ client: ClientConnection, _ session: WebSocketSession, _ event: WebSocketEvent) {
        switch event {
        case .ping(let payload):
            sendFrame(client, session, .pong, payload)  // answered here, at once
        case .pong:
            break
        case .text(let payload), .binary(let payload):
            stats.webSocketMessagesIn += 1
            let isText = if case .text = event { true } else { false }
            switch session.mode {
            case .testHandler:
                sendFrame(client, session, isText ? .text : .binary, payload)
            case .overHTTP:
                guard !session.detached, !session.closeReceived else { return }
                queueEvent(client, session, isText ? .text(payload) : .binary(payload))
            }
        case let .close(code, reason):
            session.closeReceived = true
            stats.countCloseCode(code ?? 1005)
            switch session.mode {
            case .testHandler:
                finishClose(client, session, code: code, reason: reason)
            case .overHTTP:
                if session.detached || !session.requester.opened {
                    finishClose(client, session, code: code, reason: reason)
                } else {
                    queueEvent(client, session, .close(code: code, reason: reason))
                }
            }
        }
    }

    /// The close handshake's last step from our side: answer the client's close (if we have
    /// not sent one) and close the TCP connection once it is out.
    func finishClose(_ client: ClientConnection, _ session: WebSocketSession, code: UInt16?, reason: [UInt8]) {
        if !session.closeSent {
            sendFrame(client, session, .close, WebSocketEncoder.closePayload(code: code, reason: []))
            session.closeSent = true
        }
        if session.closeReceived { closeAfterQueue(client) }
    }

    /// Protocol violation or a dead backend: close frame with `code`, then close.
    func failWebSocket(_ client: ClientConnection, _ session: WebSocketSession, code: UInt16, reason: String) {
        if !session.closeSent {
            sendFrame(client, session, .close, WebSocketEncoder.closePayload(code: code, reason: Array(reason.utf8)))
            session.closeSent = true
            stats.countCloseCode(code)
        }
        session.closeReceived = true
        closeAfterQueue(client)
    }

    func closeAfterQueue(_ client: ClientConnection) {
        client.closeAfterSend = true
        if client.socket.sendQueue.isEmpty && !client.socket.inFlight.contains(.send) { startLinger(client) }
    }

    func sendFrame(_ client: ClientConnection, _ session: WebSocketSession, _ opcode: WebSocketOpcode, _ payload: [UInt8]) {
        guard client.socket.isLive, !session.clientGone else { return }
        var frame: [UInt8] = []
        frame.reserveCapacity(payload.count + 14)
        payload.withUnsafeBytes { bytes in
            if opcode.isControl {
                WebSocketEncoder.appendFrame(opcode: opcode, payload: bytes, to: &frame)
            } else {
                WebSocketEncoder.appendMessage(opcode: opcode, payload: bytes, maxFrameBytes: configuration.webSocketFrameBytesMax, to: &frame)
            }
        }
        if opcode == .text || opcode == .binary { stats.webSocketMessagesOut += 1 }
        client.socket.sendQueue.append(frame, pool: chunkPool)
        session.lastClientSendNanos = now
        flushClient(client)
    }

    /// The client's TCP connection ended without (or after) a close.
    func webSocketClientGone(_ client: ClientConnection) {
        guard let session = client.webSocket, session.mode == .overHTTP, session.requester.opened, !session.detached,
            !session.closeReceived, !session.clientGone
        else {
            closeClient(client)
            return
        }
        // Tell the backend (DISCONNECT) before the slot goes away.
        session.clientGone = true
        client.readClosed = true
        unsubscribeAll(client)
        session.requester.replacePending(with: .disconnect)
        sendEvents(client, session)
    }
}
