import Glibc
import Hub
import IOUring
import Wire

/// The client side: receiving, parsing requests, local responses, closing.
extension ShardLoop {
    func clientReceived(_ completion: Completion) {
        guard let client = clients.occupant(ConnectionHandle(completion.userData)) else {
            if let id = completion.bufferID { buffers.recycle(id) }
            return
        }
        if !completion.hasMore { client.socket.recvEnded() }
        let result = completion.result
        if result > 0, let id = completion.bufferID {
            stats.clientBytesReceived += Int(result)
            if client.socket.isLive {
                if let session = client.tls {
                    clientCiphertext(client, session, buffers.bytes(id, count: Int(result)))
                } else {
                    clientBytes(client, buffers.bytes(id, count: Int(result)))
                }
            }
            buffers.recycle(id)
        } else if result == 0 {
            clientEOF(client)
        } else if result != -ENOBUFS && result != -ECANCELED {
            clientBroken(client)  // reset by peer or similar
        }
        if !client.socket.isLive {
            finishClientClose(client)
        } else {
            updateClientRecv(client)
        }
    }

    func clientSent(_ completion: Completion) {
        guard let client = clients.occupant(ConnectionHandle(completion.userData)) else { return }
        client.socket.inFlight.remove(.send)
        releaseSendVector(client)
        if completion.result < 0 {
            clientBroken(client)
        } else {
            stats.clientBytesSent += Int(completion.result)
            if let session = client.tls {
                tlsClientSent(client, session, count: Int(completion.result))
            } else {
                client.socket.sendQueue.consume(Int(completion.result), pool: chunkPool)
            }
        }
        if !client.socket.isLive {
            finishClientClose(client)
            return
        }
        flushClient(client)
        if client.socket.sendQueue.isEmpty && client.closeAfterSend && client.phase != .lingering {
            startLinger(client)
        }
        if let backend = backend(of: client) { updateBackendRecv(backend) }
        updateClientRecv(client)
    }

    /// Receive only while there is somewhere to put the bytes: backpressure toward clients
    /// that send faster than their backend or their own response reading allows.
    func updateClientRecv(_ client: ClientConnection) {
        guard client.socket.isLive else { return }
        let high = configuration.sendHighWater
        let wanted: Bool
        if client.readClosed {
            wanted = false
        } else {
            switch client.phase {
            case .lingering, .awaitingHead:
                wanted = true
            case .held:
                wanted = client.inbound.count < configuration.clientBufferSize  // to notice the client leaving
            case .webSocket:
                wanted = client.socket.sendQueue.byteCount < high && client.webSocket?.requester.readPaused != true
            case .tunnel:
                wanted = (backend(of: client)?.queuedBytes ?? 0) < high
            case .requestBody:
                if let backend = backend(of: client), backend.isEstablished {
                    wanted = backend.queuedBytes < high
                } else {
                    wanted = client.inbound.count < high
                }
            case .awaitingResponse:
                wanted = client.inbound.count < high && client.socket.sendQueue.byteCount < high
            }
        }
        if wanted && !client.socket.inFlight.contains(.recv) {
            armClientRecv(client)
            if client.phase == .requestBody { extendBodyLimit(client) }  // its chance to send starts now
        } else if !wanted {
            cancelRecv(&client.socket, op: .clientRecv, slot: client.slot)
        }
    }

    /// Parses straight from the receive buffer when nothing is pending; only leftovers are copied.
    func clientBytes(_ client: ClientConnection, _ bytes: UnsafeRawBufferPointer) {
        if client.phase == .lingering { return }
        if client.phase == .requestBody { extendBodyLimit(client) }
        if client.inbound.isEmpty {
            let handle = client.handle
            let consumed = processClientInput(client, bytes)
            if consumed < bytes.count, clients.live(handle) != nil {
                client.inbound.append(UnsafeRawBufferPointer(rebasing: bytes[consumed...]))
            }
        } else {
            client.inbound.append(bytes)
            drainInbound(client)
        }
    }

    /// Parses what accumulated (pipelined requests, a body waiting for its backend). The bytes
    /// are moved out while parsing so handlers may freely touch the connection.
    func drainInbound(_ client: ClientConnection) {
        guard !client.inbound.isEmpty, client.socket.isLive else { return }
        let handle = client.handle
        var input = client.inbound
        client.inbound = ByteAccumulator()
        let consumed = input.withReadable { processClientInput(client, $0) }
        guard clients.live(handle) != nil, client.phase != .lingering else { return }
        input.consume(consumed)
        client.inbound = input
    }

    /// Runs the request state machine over `bytes`; returns how many it consumed. Stops at the
    /// end of a request whose response is still pending (pipelined input stays queued).
    func processClientInput(_ client: ClientConnection, _ bytes: UnsafeRawBufferPointer) -> Int {
        var offset = 0
        while offset < bytes.count {
            if !client.socket.isLive || client.closeAfterSend { return bytes.count }
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            switch client.phase {
            case .lingering:
                return bytes.count
            case .awaitingResponse, .held:
                return offset
            case .webSocket:
                return offset + webSocketInput(client, rest)
            case .tunnel:
                guard let backend = backend(of: client) else { return bytes.count }
                backend.socket.sendQueue.append(rest, pool: chunkPool)
                flushBackend(backend)
                return bytes.count
            case .awaitingHead:
                // A head's first byte: from now the whole head is due (unless it already was).
                if client.timeLimit.kind != .header { limitClient(client, .header) }
                switch client.parser.parse(rest) {
                case .incomplete:
                    return offset  // the parser fails the head once it outgrows client_buffer_size
                case .failure(let error):
                    rejectRequest(client, error)
                    return bytes.count
                case .complete(let head, let consumed):
                    offset += consumed
                    client.parser.reset()
                    startRequest(client, head)
                }
            case .requestBody:
                if client.exchange.proxy != nil {
                    guard let backend = backend(of: client), backend.isEstablished,
                        backend.queuedBytes < configuration.sendHighWater
                    else { return offset }  // body waits until the backend can take it
                }
                guard var decoder = client.exchange.requestDecoder else { return offset }
                let consumed: Int
                do {
                    consumed = try decoder.decode(rest) { chunk in forwardBody(client, chunk) }
                } catch {
                    rejectRequest(client, error)
                    return bytes.count
                }
                client.exchange.requestDecoder = decoder
                offset += consumed
                if let backend = backend(of: client) { flushBackend(backend) }
                if decoder.isComplete {
                    requestBodyComplete(client)
                } else if consumed == 0 {
                    return offset
                }
            }
        }
        return offset
    }

    private func forwardBody(_ client: ClientConnection, _ chunk: UnsafeRawBufferPointer) {
        guard !chunk.isEmpty, let backend = backend(of: client) else { return }  // test handler: discard
        switch client.exchange.proxy?.handle(.requestBodyBytes) {
        case .forwardBody(chunked: true):
            backend.socket.sendQueue.appendChunk(chunk, pool: chunkPool)
        case .forwardBody(chunked: false):
            backend.socket.sendQueue.append(chunk, pool: chunkPool)
        default:
            assertionFailure("request body with no exchange to take it")
        }
    }

    func requestBodyComplete(_ client: ClientConnection) {
        client.timeLimit.clear()
        client.exchange.requestDecoder = nil
        client.phase = .awaitingResponse
        if client.exchange.testRequest != nil {
            respondFromTestHandler(client)
        } else if client.exchange.proxy != nil {
            perform(step(client, .request) { $0.handle(.requestBodyComplete) }, client, .request)
        }
    }

    /// A complete request head arrived: route it and start its exchange.
    private func startRequest(_ client: ClientConnection, _ head: HTTPRequestHead) {
        var head = head
        var framing: BodyFraming
        do {
            framing = try head.bodyFraming()
        } catch {
            rejectRequest(client, error)
            return
        }
        guard head.headers.count(of: "Host") <= 1 else {
            rejectRequest(client, .malformedHeader)  // RFC 9112 §3.2: more than one Host is a 400
            return
        }
        client.exchange = Exchange()  // set up in place: a local assigned and read again is copied
        client.exchange.method = head.method
        client.exchange.version = head.version
        client.exchange.keepAlive = head.keepAlive && !draining
        if framing != .none { client.exchange.requestDecoder = BodyDecoder(framing: framing) }
        client.phase = client.exchange.requestComplete ? .awaitingResponse : .requestBody
        if client.phase == .requestBody { limitClient(client, .body) } else { client.timeLimit.clear() }

        if head.version == .http11 && head.expectsContinue && !client.exchange.requestComplete {
            client.socket.sendQueue.append(Self.continueResponse, pool: chunkPool)
            queueClientFlush(client)
        }

        let path = head.path
        guard let routeIndex = routing.table.matchIndex(host: head.host, path: path, isWebSocket: head.isWebSocketUpgrade, isTLS: client.tls != nil),
            let handler = resolvedRoutes[routeIndex].handler
        else {
            respondProxyError(client, .noRoute)
            return
        }
        statsRequestRouted(client, route: routeIndex)
        if head.isWebSocketUpgrade {
            startWebSocket(client, head, route: routeIndex, path: path)
            return
        }
        var jsonpBody: [UInt8] = []
        if let jsonp = resolvedRoutes[routeIndex].crossOrigin {
            // A JSON-P request stands for another: that one goes on (a GET with a body of its own never is one).
            guard let started = startCrossOrigin(client, head, config: jsonp, hasBody: framing != .none) else { return }
            (head, jsonpBody) = started
            if !jsonpBody.isEmpty { framing = .contentLength(jsonpBody.count) }
        }
        switch handler {
        case .test:
            let pathBeg = routing.table.routes[routeIndex].condition.pathBeg
            client.exchange.testRequest = (Self.removingPrefix(pathBeg, from: path), Self.query(of: head.target))
            client.exchange.channelPrefix = resolvedRoutes[routeIndex].channelPrefix
            if client.exchange.requestComplete { respondFromTestHandler(client) }
        case .http:
            client.exchange.channelPrefix = resolvedRoutes[routeIndex].channelPrefix
            if client.peerHost.isEmpty && !configuration.xForwardedFor.isEmpty {
                client.peerHost = Sockets.peerHost(client.socket.fd)
            }
            let grip = resolvedRoutes[routeIndex].grip
            let candidates = resolvedRoutes[routeIndex].candidates
            let forwarded = forwarding.head(
                for: head, framing: framing, peerHost: client.peerHost, isTLS: client.tls != nil,
                backendHost: candidates.first?.key ?? "localhost", grip: grip, gripSignature: gripSignature(route: routeIndex),
                rewrite: resolvedRoutes[routeIndex].rewrite)
            var bytes: [UInt8] = []
            bytes.reserveCapacity(512)
            HTTPWriter.appendRequestHead(forwarded, to: &bytes)
            bytes += jsonpBody
            client.exchange.candidates = candidates
            if grip && framing == .none {
                client.exchange.forwardedRequest = forwarded
                client.exchange.signing = resolvedRoutes[routeIndex].signing
            }
            client.exchange.proxy = ProxyExchange(
                method: head.method, clientVersion: head.version, clientKeepAlive: client.exchange.keepAlive,
                handling: client.exchange.crossOrigin?.jsonp != nil
                    ? .collect(limit: configuration.nextLinkBodyMax)  // wrapped whole
                    : .relay(gripBodyMax: grip ? configuration.gripInstructBodyMax : nil),
                requestBody: framing == .none || !jsonpBody.isEmpty ? .none : framing == .chunked ? .chunked : .asIs,
                forwardedHead: bytes, candidateCount: candidates.count)
            startExchange(client, .request)
        case .zhttp:
            respondProxyError(client, .noRoute)
        }
    }

    private static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    static func removingPrefix(_ prefix: String?, from path: String) -> String {
        guard let prefix, !prefix.isEmpty, path.hasPrefix(prefix) else { return path }
        let rest = String(path.dropFirst(prefix.count))
        return rest.hasPrefix("/") ? rest : "/" + rest
    }

    private func respondFromTestHandler(_ client: ClientConnection) {
        guard let request = client.exchange.testRequest else { return }
        let answer = TestHandler.answer(
            method: client.exchange.method, path: request.path, query: request.query,
            subscriptionMax: configuration.subscriptionsPerConnectionMax)
        switch answer {
        case let .response(status, body):
            respondLocally(client, status: status, body: body, closeAfter: false)
        case .instruction(let instruction):
            applyInstruction(client, instruction)
        }
    }

    /// A malformed or oversized request: answer with its status and close.
    func rejectRequest(_ client: ClientConnection, _ error: HTTPParseError) {
        stats.parseErrors += 1
        let body = error.status == 400 ? "Bad request: \(error.reason).\n" : "\(error.reason).\n"
        refuseRequest(client, status: error.status, body: body)
    }

    /// Ends a request the shard will not serve (bad, too large, too slow): answers `status`
    /// and closes once it is sent. A response already under way cannot be followed by
    /// another, so then the connection just closes. Its backend, if any, is given up.
    func refuseRequest(_ client: ClientConnection, status: Int, body: String) {
        guard !responseStarted(client) else {
            closeClient(client)
            return
        }
        releaseBackend(client, .request, reusable: false)
        client.exchange.proxy = nil
        client.exchange.keepAlive = false
        respondLocally(client, status: status, body: body, closeAfter: true)
    }

    /// The proxy's own answer when no backend response can be relayed (see `ProxyError`).
    func respondProxyError(_ client: ClientConnection, _ error: ProxyError) {
        guard !responseStarted(client) else {
            closeClient(client)
            return
        }
        respondLocally(client, status: error.status, body: error.body, closeAfter: false)
    }

    /// Response bytes already went to the client: an error can no longer be answered, only
    /// the connection cut.
    func responseStarted(_ client: ClientConnection) -> Bool {
        client.exchange.proxy?.responseStarted == true || client.hold?.mode == .stream
    }

    /// Sends a response produced by the shard itself and ends the exchange.
    func respondLocally(_ client: ClientConnection, status: Int, body: String, closeAfter: Bool, extraHeaders: HTTPHeaders = HTTPHeaders()) {
        if let crossOrigin = client.exchange.crossOrigin {
            respondLocally(client, crossOrigin, status: status, body: body, closeAfter: closeAfter, extraHeaders: extraHeaders)
            return
        }
        let close = closeAfter || !client.exchange.keepAlive || !client.exchange.requestComplete || client.readClosed
        var extra = extraHeaders
        if !close && client.exchange.version == .http10 { extra.add("Connection", "keep-alive") }
        let bytes = HTTPWriter.simpleResponse(
            status: status, reason: HTTPWriter.standardReason(for: status), body: body, close: close, extraHeaders: extra,
            headOnly: client.exchange.method == "HEAD")
        stats.countResponse(status: status)
        client.socket.sendQueue.append(bytes, pool: chunkPool)
        queueClientFlush(client)
        finishExchange(client, closeAfter: close)
    }

    /// The response is fully queued. Either wait for the next request or close once sent.
    func finishExchange(_ client: ClientConnection, closeAfter: Bool) {
        let close = closeAfter || !client.exchange.keepAlive || !client.exchange.requestComplete || client.readClosed
        client.exchange = Exchange()
        if close {
            client.timeLimit.clear()
            client.closeAfterSend = true
            client.phase = .awaitingResponse
            if client.socket.sendQueue.isEmpty && !client.socket.inFlight.contains(.send) { startLinger(client) }
        } else {
            client.phase = .awaitingHead
            limitClient(client, .idle)
        }
    }

    /// The client's connection failed (reset, broken pipe). A WebSocket-over-HTTP session
    /// still owes its backend a DISCONNECT; everything else just closes.
    func clientBroken(_ client: ClientConnection) {
        guard client.phase == .webSocket, client.webSocket != nil else {
            closeClient(client)
            return
        }
        client.readClosed = true
        if !client.socket.inFlight.contains(.send) { client.socket.sendQueue.removeAll(pool: chunkPool) }
        webSocketClientGone(client)
    }

    func clientEOF(_ client: ClientConnection) {
        client.readClosed = true
        switch client.phase {
        case .awaitingHead where !client.socket.sendQueue.isEmpty:
            // The last response is still queued (its send waits for the end of the turn, or
            // is in flight): it goes out, then the connection closes.
            client.timeLimit.clear()
            client.closeAfterSend = true
            client.phase = .awaitingResponse
        case .lingering, .awaitingHead, .requestBody, .held, .tunnel:
            closeClient(client)
        case .webSocket:
            webSocketClientGone(client)
        case .awaitingResponse:
            if client.closeAfterSend && client.socket.sendQueue.isEmpty && !client.socket.inFlight.contains(.send) {
                closeClient(client)
            }
            // Otherwise the response in progress still goes out; then the connection closes.
        }
    }

    /// The client's exchange ended while handling another socket's completion; its pipelined
    /// input is parsed after this completion is done (never re-entrantly).
    func resumeLater(_ client: ClientConnection) {
        resumeQueue.append(client.handle)
    }

    func runResumeQueue() {
        while !resumeQueue.isEmpty {
            let pending = resumeQueue
            resumeQueue.removeAll()
            for handle in pending {
                guard let client = clients.live(handle) else { continue }
                switch client.phase {
                case .awaitingHead, .requestBody, .tunnel, .webSocket: drainInbound(client)
                case .awaitingResponse, .held, .lingering: break
                }
                updateClientRecv(client)
            }
        }
    }

    /// All output sent on a connection that is to close: shut down our side, read until the
    /// peer's EOF (bounded by a timer), then close.
    func startLinger(_ client: ClientConnection) {
        guard client.socket.isLive else { return }
        if client.readClosed {
            closeClient(client)
            return
        }
        client.phase = .lingering
        client.inbound.release()
        if let session = client.tls {
            shutdownTLSClient(client, session)  // close_notify first
        } else {
            Sockets.shutdownWrite(client.socket.fd)
        }
        // Shorter while shutting down: the process should not wait on clients that never close.
        schedule(.lingerDeadline, slot: client.slot, socket: &client.socket, afterNanos: draining ? configuration.lingerDrainingNanos : configuration.lingerNanos)
        updateClientRecv(client)
    }

    func lingerDeadlinePassed(_ entry: TimerWheel.Entry) {
        guard let client = clients.live(entry.handle), client.socket.timerToken == entry.token,
            client.phase == .lingering
        else { return }
        closeClient(client)
        finishClientClose(client)
    }
}
