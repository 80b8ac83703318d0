import Glibc
import IOUring
import Wire

/// The backend side: connecting (with failover and a keep-alive pool), relaying responses.
extension ShardLoop {
    /// Sends the exchange's request over a pooled connection, or connects to the next
    /// candidate address. With none left the client gets 502.
    func connectBackend(_ client: ClientConnection) {
        while client.exchange.candidateIndex < client.exchange.candidates.count {
            let candidate = client.exchange.candidates[client.exchange.candidateIndex]
            if !client.exchange.retriedStale, let pooled = takeFromPool(candidate.key) {
                pooled.prepareForReuse(client: client.handle)
                attach(pooled, to: client)
                flushBackend(pooled)
                updateBackendRecv(pooled)
                return
            }
            let fd = Sockets.stream(family: candidate.address.family)
            guard fd >= 0 else {
                stats.backendConnectErrors += 1
                client.exchange.candidateIndex += 1
                continue
            }
            let backend = allocateBackend()
            let generation = (backend.socket.generation &+ 1) & UserData.generationMask
            backend.reset(fd: fd, generation: generation, targetKey: candidate.key, to: candidate.address)
            backend.state = .active(client: client.handle)
            backend.socket.inFlight.insert(.connect)
            attach(backend, to: client)
            ring.prepareConnect(
                fd: fd, address: UnsafeRawPointer(backend.address).assumingMemoryBound(to: sockaddr.self),
                length: backend.addressLength, userData: UserData(.backendConnect, generation, backend.slot))
            return
        }
        stats.backendConnectErrors += client.exchange.candidates.isEmpty ? 1 : 0
        respondProxyError(client, .connectFailed)
    }

    private func attach(_ backend: BackendConnection, to client: ClientConnection) {
        client.exchange.upstream = .backend(backend.handle)
        backend.socket.sendQueue.append(client.exchange.forwardedHead, pool: chunkPool)
        schedule(.backendDeadline, slot: client.slot, socket: &client.socket, afterNanos: configuration.backendTimeoutNanos)
    }

    private func allocateBackend() -> BackendConnection {
        backends.take { slot, generation in
            let backend = BackendConnection(slot: slot)
            backend.socket.generation = generation
            return backend
        }
    }

    func backendConnected(_ completion: Completion) {
        guard let backend = backends.occupant(ConnectionHandle(completion.userData)) else { return }
        backend.socket.inFlight.remove(.connect)
        if !backend.socket.isLive {
            finishBackendClose(backend)
            return
        }
        guard let client = client(of: backend) else {
            closeBackend(backend)
            return
        }
        guard completion.result >= 0 else {
            stats.backendConnectErrors += 1
            logger.debug("backend connect failed", metadata: ["target": "\(backend.targetKey)", "errno": "\(-completion.result)"])
            closeBackend(backend)
            client.exchange.upstream = .none
            client.exchange.candidateIndex += 1
            connectBackend(client)
            return
        }
        backend.socket.lifecycle = .open
        Sockets.setNoDelay(backend.socket.fd)
        flushBackend(backend)
        updateBackendRecv(backend)
        if client.phase == .requestBody { drainInbound(client) }
        updateClientRecv(client)
    }

    func backendSent(_ completion: Completion) {
        guard let backend = backends.occupant(ConnectionHandle(completion.userData)) else { return }
        backend.socket.inFlight.remove(.send)
        if completion.result < 0 {
            backendFailed(backend)
        } else {
            backend.socket.sendQueue.consume(Int(completion.result), pool: chunkPool)
        }
        if !backend.socket.isLive {
            finishBackendClose(backend)
            return
        }
        flushBackend(backend)
        if let client = client(of: backend), client.phase == .requestBody || client.phase == .tunnel,
            backend.socket.sendQueue.byteCount < configuration.sendLowWater
        {
            drainInbound(client)
            updateClientRecv(client)
        }
    }

    func backendReceived(_ completion: Completion) {
        guard let backend = backends.occupant(ConnectionHandle(completion.userData)) else {
            if let id = completion.bufferID { buffers.recycle(id) }
            return
        }
        if !completion.hasMore { backend.socket.recvEnded() }
        let result = completion.result
        if result > 0, let id = completion.bufferID {
            if backend.socket.isLive { backendBytes(backend, buffers.bytes(id, count: Int(result))) }
            buffers.recycle(id)
        } else if result == 0 {
            backendEOF(backend)
        } else if result != -ENOBUFS && result != -ECANCELED {
            backendFailed(backend)
        }
        if !backend.socket.isLive {
            finishBackendClose(backend)
        } else {
            updateBackendRecv(backend)
        }
    }

    /// Read from a backend only while its client keeps up (and always while pooled, to notice
    /// the backend closing an idle connection).
    func updateBackendRecv(_ backend: BackendConnection) {
        guard backend.socket.lifecycle == .open else { return }
        let wanted: Bool
        switch backend.state {
        case .connecting: wanted = false
        case .idle: wanted = true
        case .active:
            guard let client = client(of: backend) else { return }
            let queued = client.socket.sendQueue.byteCount
            wanted = backend.socket.inFlight.contains(.recv) ? queued < configuration.sendHighWater : queued < configuration.sendLowWater
        }
        if wanted && !backend.socket.inFlight.contains(.recv) {
            armBackendRecv(backend)
        } else if !wanted {
            cancelRecv(&backend.socket, op: .backendRecv, slot: backend.slot)
        }
    }

    private func backendBytes(_ backend: BackendConnection, _ bytes: UnsafeRawBufferPointer) {
        guard case .active = backend.state, let client = client(of: backend) else {
            closeBackend(backend)  // an idle connection must not talk; one without a client is done
            return
        }
        backend.receivedAny = true
        if client.phase == .tunnel {
            tunnelFromBackend(client, bytes)
            return
        }
        if backend.inbound.isEmpty {
            let handle = backend.handle
            let consumed = processBackendInput(backend, client, bytes)
            if consumed < bytes.count, backends.live(handle) != nil {
                backend.inbound.append(UnsafeRawBufferPointer(rebasing: bytes[consumed...]))
            }
        } else {
            backend.inbound.append(bytes)
            var input = backend.inbound
            backend.inbound = ByteAccumulator()
            let handle = backend.handle
            let consumed = input.withReadable { processBackendInput(backend, client, $0) }
            if backends.live(handle) != nil {
                input.consume(consumed)
                backend.inbound = input
            }
        }
    }

    /// Parses the response head, then relays body bytes; returns how many bytes it used.
    private func processBackendInput(_ backend: BackendConnection, _ client: ClientConnection, _ bytes: UnsafeRawBufferPointer) -> Int {
        var offset = 0
        while offset < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            guard backend.head != nil else {
                switch backend.parser.parse(rest) {
                case .incomplete:
                    return offset
                case .failure:
                    closeBackend(backend)
                    respondProxyError(client, .badBackendResponse)
                    return bytes.count
                case .complete(let head, let consumed):
                    offset += consumed
                    backend.parser.reset()
                    if head.status >= 100 && head.status < 200 && head.status != 101 { continue }  // interim
                    guard beginResponse(backend, client, head) else { return bytes.count }
                    if client.phase == .tunnel {
                        tunnelFromBackend(client, UnsafeRawBufferPointer(rebasing: bytes[offset...]))
                        return bytes.count
                    }
                    if client.exchange.responseDecoder?.isComplete == true {
                        completeResponse(backend, client, leftover: bytes.count - offset)
                        return bytes.count
                    }
                }
                continue
            }
            guard var decoder = client.exchange.responseDecoder else { return bytes.count }
            let consumed: Int
            do {
                consumed = try decoder.decode(rest) { chunk in relayBody(client, chunk) }
            } catch {
                closeBackend(backend)
                closeClient(client)
                return bytes.count
            }
            client.exchange.responseDecoder = decoder
            offset += consumed
            flushClient(client)
            if decoder.isComplete {
                completeResponse(backend, client, leftover: bytes.count - offset)
                return bytes.count
            }
            if consumed == 0 { return offset }
        }
        return offset
    }

    /// The response head arrived: plan its framing for the client and queue the head.
    private func beginResponse(_ backend: BackendConnection, _ client: ClientConnection, _ head: HTTPResponseHead) -> Bool {
        let framing: BodyFraming
        do {
            framing = try head.bodyFraming(requestMethod: client.exchange.method)
        } catch {
            closeBackend(backend)
            respondProxyError(client, .badBackendResponse)
            return false
        }
        backend.head = head
        client.socket.timerToken &+= 1  // the backend answered: no 504 any more
        client.exchange.responseDecoder = BodyDecoder(framing: framing)
        client.exchange.backendBodyUntilClose = framing == .untilClose
        client.exchange.forwardedHead = []
        if client.exchange.upgrade && head.status == 101 {
            startTunnel(backend, client, head)
            return true
        }
        if client.exchange.purpose == .webSocketEvents
            || (client.exchange.gripEnabled && GripInstructionParser.isGrip(head))
        {
            // Instructions for the proxy: collect the (small) body, act once it is complete.
            client.exchange.collectedHead = head
            return true
        }
        let plan = ResponseRelay.plan(
            for: head, framing: framing, clientVersion: client.exchange.version, clientKeepAlive: client.exchange.keepAlive)
        client.exchange.responseStarted = true
        client.exchange.responseChunked = plan.chunked
        client.exchange.responseUntilClose = plan.untilClose
        client.exchange.closeAfterResponse = plan.close
        var bytes: [UInt8] = []
        bytes.reserveCapacity(512)
        HTTPWriter.appendResponseHead(plan.head, to: &bytes)
        client.socket.sendQueue.append(bytes, pool: chunkPool)
        stats.countResponse(status: head.status)
        flushClient(client)
        return true
    }

    /// Largest GRIP instruct body accepted from a backend (Pushpin's limit).
    static let gripInstructBodyMax = 100_000
    /// Largest WebSocket-over-HTTP events body: Pushpin's 1 MB, plus room for one message of
    /// `websocket_message_max` (a backend echoing a large message answers with it).
    var collectedEventsMax: Int { 1_000_000 + configuration.webSocketMessageMax }

    private func relayBody(_ client: ClientConnection, _ chunk: UnsafeRawBufferPointer) {
        guard !chunk.isEmpty else { return }
        if client.exchange.collectedHead != nil {
            let limit = client.exchange.purpose == .webSocketEvents ? collectedEventsMax : Self.gripInstructBodyMax
            if client.exchange.collectedBody.count + chunk.count <= limit {
                client.exchange.collectedBody.append(contentsOf: chunk)
            } else {
                client.exchange.collectedTooLarge = true
            }
            return
        }
        if client.exchange.responseChunked {
            var header: [UInt8] = []
            header.reserveCapacity(chunk.count + 16)
            HTTPWriter.appendChunk(chunk, to: &header)
            client.socket.sendQueue.append(header, pool: chunkPool)
        } else {
            client.socket.sendQueue.append(chunk, pool: chunkPool)
        }
    }

    /// The whole response is queued for the client: pool or close the backend connection,
    /// then let the client connection move on to its next request.
    private func completeResponse(_ backend: BackendConnection, _ client: ClientConnection, leftover: Int) {
        if let collectedHead = client.exchange.collectedHead {
            completeCollectedResponse(backend, client, collectedHead, leftover: leftover)
            return
        }
        if client.exchange.responseChunked {
            var last: [UInt8] = []
            HTTPWriter.appendLastChunk(to: &last)
            client.socket.sendQueue.append(last, pool: chunkPool)
        }
        let reusable = (backend.head?.keepAlive ?? false) && !client.exchange.responseUntilClose
            && client.exchange.requestComplete && leftover == 0 && backend.socket.sendQueue.isEmpty
            && !client.exchange.backendBodyUntilClose
        client.exchange.upstream = .none
        if reusable {
            returnToPool(backend)
        } else {
            closeBackend(backend)
        }
        flushClient(client)
        finishExchange(client, closeAfter: client.exchange.closeAfterResponse)
        resumeLater(client)
    }

    /// A collected response is complete: release the backend, then act on it — GRIP
    /// instructions hold (or answer) the client, WebSocket events go to the client.
    private func completeCollectedResponse(_ backend: BackendConnection, _ client: ClientConnection, _ head: HTTPResponseHead, leftover: Int) {
        let reusable = head.keepAlive && client.exchange.requestComplete && leftover == 0
            && backend.socket.sendQueue.isEmpty && !client.exchange.backendBodyUntilClose
        client.exchange.upstream = .none
        if reusable { returnToPool(backend) } else { closeBackend(backend) }
        let body = client.exchange.collectedBody
        client.exchange.collectedBody = []
        client.exchange.collectedHead = nil
        if client.exchange.purpose == .webSocketEvents {
            if client.exchange.collectedTooLarge {
                stats.backendInvalidResponses += 1
                webSocketBackendFailed(client, .badBackendResponse)
            } else {
                webSocketEventsResponse(client, head, body)
            }
            return
        }
        guard !client.exchange.collectedTooLarge else {
            logger.warning("GRIP instruct response too large from backend")
            respondProxyError(client, .badBackendResponse)
            resumeLater(client)
            return
        }
        switch GripInstructionParser.parse(head: head, body: body, subscriptionMax: configuration.subscriptionsPerConnectionMax) {
        case .success(let instruction):
            applyInstruction(client, instruction)
        case .failure(let error):
            logger.warning("invalid GRIP instructions from backend: \(error)")
            respondProxyError(client, .badBackendResponse)
        }
        resumeLater(client)
    }

    private func backendEOF(_ backend: BackendConnection) {
        guard case .active = backend.state, let client = client(of: backend) else {
            closeBackend(backend)
            return
        }
        if client.phase == .tunnel {
            closeBackend(backend)
            client.exchange.upstream = .none
            closeAfterQueue(client)
            return
        }
        if backend.head != nil, var decoder = client.exchange.responseDecoder {
            let complete = decoder.finishAtEOF()
            client.exchange.responseDecoder = decoder
            if complete {
                completeResponse(backend, client, leftover: 0)
            } else {
                stats.backendResetErrors += 1
                closeBackend(backend)
                closeClient(client)  // truncated: the client must not take it as complete
            }
            return
        }
        backendFailed(backend)
    }

    /// The backend connection broke. Before any response byte a stale pooled connection is
    /// retried once on a fresh one; otherwise the client gets 502 (or is cut off mid-body).
    private func backendFailed(_ backend: BackendConnection) {
        let client = client(of: backend)
        closeBackend(backend)
        guard let client else { return }
        if client.exchange.responseStarted {
            stats.backendResetErrors += 1
            closeClient(client)
            return
        }
        if backend.reused && !backend.receivedAny && !client.exchange.bodySent && !client.exchange.retriedStale {
            client.exchange.retriedStale = true
            client.exchange.upstream = .none
            connectBackend(client)
            return
        }
        stats.backendResetErrors += 1
        respondProxyError(client, .backendReset)
        resumeLater(client)
    }

    func backendDeadlinePassed(_ entry: TimerWheel.Entry) {
        guard let client = clients.live(entry.handle), client.socket.timerToken == entry.token,
            !client.exchange.responseStarted, let backend = backend(of: client)
        else { return }
        stats.backendTimeouts += 1
        closeBackend(backend)
        respondProxyError(client, .backendTimeout)
        resumeLater(client)
    }

    // MARK: pool

    private func returnToPool(_ backend: BackendConnection) {
        backend.state = .idle
        guard backendPool.put(backend.slot, target: backend.targetKey) else {
            closeBackend(backend)
            return
        }
        schedule(.backendIdle, slot: backend.slot, socket: &backend.socket, afterNanos: configuration.backendIdleNanos)
        updateBackendRecv(backend)
    }

    /// A pooled connection is idle and open: closing one takes it out of the pool.
    private func takeFromPool(_ key: String) -> BackendConnection? {
        guard let slot = backendPool.take(target: key) else { return nil }
        let backend = backends[Int(slot)]
        assert(backend.socket.lifecycle == .open, "pooled backend slot \(slot) is closed")
        backend.socket.timerToken &+= 1
        return backend
    }

    func removeFromPool(_ backend: BackendConnection) {
        backendPool.remove(backend.slot)
    }

    func backendIdlePassed(_ entry: TimerWheel.Entry) {
        guard let backend = backends.live(entry.handle), backend.socket.timerToken == entry.token,
            case .idle = backend.state
        else { return }
        closeBackend(backend)
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
                if client.phase == .awaitingHead || client.phase == .tunnel || client.phase == .webSocket { drainInbound(client) }
                updateClientRecv(client)
            }
        }
    }

    /// A client connection is closing: its exchange's backend connection cannot be reused
    /// mid-exchange, so it is closed too.
    func detachBackend(from client: ClientConnection, reusable: Bool) {
        if let backend = backend(of: client) {
            closeBackend(backend)
        }
        client.exchange.upstream = .none
    }
}
