import Glibc
import IOUring
import Wire

/// Which of a client's exchanges a backend connection serves: the client's own request, its
/// WebSocket-over-HTTP session's events request, or its held stream's next-link fetch.
enum ExchangeRole {
    case request
    case events
    case nextLink
}

/// The backend side: runs a `ProxyExchange` by carrying out its actions (connect with
/// failover and the keep-alive pool, send, relay, release) and feeding it what the backend
/// connection does.
extension ShardLoop {
    /// Starts `role`'s exchange of `client`, set up by the caller.
    func startExchange(_ client: ClientConnection, _ role: ExchangeRole) {
        if withExchange(client, role, { $0.candidateCount }) == 0 { stats.backendConnectErrors += 1 }
        perform(step(client, role) { $0.start() }, client, role)
    }

    /// Runs `body` on `role`'s exchange of `client` (changed in place); nil when there is none.
    func withExchange<Result>(_ client: ClientConnection, _ role: ExchangeRole, _ body: (inout ProxyExchange) -> Result) -> Result? {
        switch role {
        case .request:
            guard client.exchange.proxy != nil else { return nil }
            return body(&client.exchange.proxy!)
        case .events:
            return client.webSocket?.requester.withExchange(body)
        case .nextLink:
            return client.recovery?.requester.withExchange(body)
        }
    }

    func step(_ client: ClientConnection, _ role: ExchangeRole, _ body: (inout ProxyExchange) -> ProxyExchange.Action) -> ProxyExchange.Action {
        guard let action = withExchange(client, role, body) else {
            assertionFailure("no \(role) exchange on client \(client.slot)")
            return .none
        }
        return action
    }

    /// Carries out what the exchange asked for. A pooled connection or a failed socket
    /// answers at once, so their next action runs here too (never re-entrantly).
    func perform(_ first: ProxyExchange.Action, _ client: ClientConnection, _ role: ExchangeRole) {
        var action = first
        while true {
            switch action {
            case .none:
                return
            case let .connect(candidate, usePool):
                releaseBackend(client, role, reusable: false)
                guard let next = connect(client, role, candidate: candidate, usePool: usePool) else { return }
                action = next
            case .sendRequest:
                guard let backend = backend(of: client, role) else { return }
                withExchange(client, role) { backend.socket.sendQueue.append($0.forwardedHead, pool: chunkPool) }
                flushBackend(backend)
                updateBackendRecv(backend)
                if role == .request && client.phase == .requestBody { resumeLater(client) }  // its body may go now
                return
            case .forwardBody:
                assertionFailure("forwardBody is carried out where the body is read")
                return
            case .sendLastChunk:
                guard let backend = backend(of: client, role) else { return }
                backend.socket.sendQueue.appendLastChunk(pool: chunkPool)
                flushBackend(backend)
                return
            case .sendResponseHead(let plan):
                headScratch.removeAll(keepingCapacity: true)
                plan.appendHead(to: &headScratch, extraFields: client.exchange.crossOrigin?.relayFields(plan))
                client.socket.sendQueue.append(headScratch, pool: chunkPool)
                stats.countResponse(status: plan.response.status)
                queueClientFlush(client)
                return
            case .startTunnel(let head):
                startTunnel(client, head)
                return
            case let .finish(reusable, lastChunk, closeClient):
                if lastChunk { client.socket.sendQueue.appendLastChunk(pool: chunkPool) }
                releaseBackend(client, role, reusable: reusable)
                client.exchange.proxy = nil
                queueClientFlush(client)
                finishExchange(client, closeAfter: closeClient)
                resumeLater(client)
                return
            case let .deliver(head, body, reusable):
                releaseBackend(client, role, reusable: reusable)
                switch role {
                case .request:
                    client.exchange.proxy = nil
                    applyGrip(client, head, body)
                case .events:
                    eventsAnswered(client, head, body)
                case .nextLink:
                    nextLinkAnswered(client, head, body)
                }
                return
            case .fail(let error):
                releaseBackend(client, role, reusable: false)
                countFailure(error)
                switch role {
                case .request:
                    client.exchange.proxy = nil
                    respondProxyError(client, error)
                    resumeLater(client)
                case .events:
                    eventsFailed(client, error)
                case .nextLink:
                    nextLinkFailed(client, error)
                }
                return
            case .abort:
                stats.backendResetErrors += 1
                releaseBackend(client, role, reusable: false)
                closeClient(client)  // truncated: the client must not take it as complete
                return
            case .closeBackend:
                releaseBackend(client, role, reusable: false)
                return
            case .endTunnel:
                releaseBackend(client, role, reusable: false)
                closeAfterQueue(client)
                return
            }
        }
    }

    private func countFailure(_ error: ProxyError) {
        switch error {
        case .backendReset: stats.backendResetErrors += 1
        case .badBackendResponse: stats.backendInvalidResponses += 1
        case .backendTimeout: stats.backendTimeouts += 1
        case .connectFailed, .noRoute: break  // each failed attempt was counted
        }
    }

    /// A connection to candidate `index` for `role`'s exchange: a pooled one (and the
    /// exchange's next action), or a connect under way (nil), or no socket (the next action).
    private func connect(_ client: ClientConnection, _ role: ExchangeRole, candidate index: Int, usePool: Bool) -> ProxyExchange.Action? {
        let candidates =
            switch role {
            case .request: client.exchange.candidates
            case .events: client.webSocket?.candidates ?? []
            case .nextLink: client.recovery?.candidates ?? []
            }
        let candidate = candidates[index]
        // A TLS connection is pooled under its TLS settings and server name.
        let serverName = candidate.tls.map { $0.serverName(head: withExchange(client, role) { $0.forwardedHead } ?? []) }
        let poolKey = serverName.flatMap { candidate.tls?.poolKey(serverName: $0) } ?? candidate.key
        if usePool, let pooled = takeFromPool(poolKey) {
            pooled.prepareForReuse(client: client.handle)
            attach(pooled, to: client, role)
            return step(client, role) { $0.handle(.connected(reused: true)) }
        }
        var tls: TLSStream?
        if let target = candidate.tls, let serverName {
            tls = makeBackendTLS(target, serverName: serverName, poolKey: poolKey)
            if tls == nil { return step(client, role) { $0.handle(.connectFailed) } }
        }
        let fd = Sockets.stream(family: candidate.address.family)
        guard fd >= 0 else {
            stats.backendConnectErrors += 1
            return step(client, role) { $0.handle(.connectFailed) }
        }
        let backend = allocateBackend()
        let generation = (backend.socket.generation &+ 1) & UserData.generationMask
        backend.reset(fd: fd, generation: generation, targetKey: poolKey, to: candidate.address)
        backend.tls = tls
        backend.state = .active(client: client.handle)
        backend.socket.inFlight.insert(.connect)
        attach(backend, to: client, role)
        ring.prepareConnect(
            fd: fd, address: UnsafeRawPointer(backend.address).assumingMemoryBound(to: sockaddr.self),
            length: backend.addressLength, userData: UserData(.backendConnect, generation, backend.slot))
        return nil
    }

    private func attach(_ backend: BackendConnection, to client: ClientConnection, _ role: ExchangeRole) {
        switch role {
        case .request: client.exchange.backend = backend.handle
        case .events: client.webSocket?.eventsBackend = backend.handle
        case .nextLink:
            client.recovery?.backend = backend.handle
            return  // its deadline is the session's own timer: the client's may be the hold's
        }
        schedule(.backendDeadline, slot: client.slot, socket: &client.socket, afterNanos: configuration.backendTimeoutNanos)
    }

    /// Lets go of the backend connection `role`'s exchange uses: back to the pool when
    /// `reusable`, else closed.
    func releaseBackend(_ client: ClientConnection, _ role: ExchangeRole, reusable: Bool) {
        let backend = backend(of: client, role)
        switch role {
        case .request: client.exchange.backend = nil
        case .events: client.webSocket?.eventsBackend = nil
        case .nextLink: client.recovery?.backend = nil
        }
        guard let backend else { return }
        if backend.tls != nil { rememberBackendTLSSession(backend) }
        if reusable {
            returnToPool(backend)
        } else {
            closeBackend(backend)
        }
    }

    /// The client is closing: its exchanges end, and no backend connection can finish them.
    func releaseBackends(of client: ClientConnection) {
        clientGone(client, .request)
        clientGone(client, .events)
        clientGone(client, .nextLink)
    }

    private func clientGone(_ client: ClientConnection, _ role: ExchangeRole) {
        if let action = withExchange(client, role, { $0.handle(.clientGone) }) { perform(action, client, role) }
        releaseBackend(client, role, reusable: false)  // one attached without an exchange (none expected)
    }

    func allocateBackend() -> BackendConnection {
        backends.take { slot, generation in
            let backend = BackendConnection(slot: slot)
            backend.socket.generation = generation
            return backend
        }
    }

    // MARK: completions

    func backendConnected(_ completion: Completion) {
        guard let backend = backends.occupant(ConnectionHandle(completion.userData)) else { return }
        backend.socket.inFlight.remove(.connect)
        if !backend.socket.isLive {
            finishBackendClose(backend)
            return
        }
        if case .notice = backend.state { return noticeConnected(backend, completion) }
        guard let (client, role) = owner(of: backend) else {
            closeBackend(backend)
            return
        }
        guard completion.result >= 0 else {
            stats.backendConnectErrors += 1
            logger.debug("backend connect failed", metadata: ["target": "\(backend.targetKey)", "errno": "\(-completion.result)"])
            releaseBackend(client, role, reusable: false)
            perform(step(client, role) { $0.handle(.connectFailed) }, client, role)
            return
        }
        backend.socket.lifecycle = .open
        Sockets.setNoDelay(backend.socket.fd)
        if backend.tls != nil { return startBackendHandshake(backend) }  // `.connected` once it is done
        perform(step(client, role) { $0.handle(.connected(reused: false)) }, client, role)
        updateClientRecv(client)
    }

    func backendSent(_ completion: Completion) {
        guard let backend = backends.occupant(ConnectionHandle(completion.userData)) else { return }
        backend.socket.inFlight.remove(.send)
        if completion.result < 0 {
            backendFailed(backend)
        } else if backend.tls != nil {
            backend.wire.consume(Int(completion.result), pool: chunkPool)
        } else {
            backend.socket.sendQueue.consume(Int(completion.result), pool: chunkPool)
        }
        if !backend.socket.isLive {
            finishBackendClose(backend)
            return
        }
        flushBackend(backend)
        if let (client, role) = owner(of: backend), role == .request, client.phase == .requestBody || client.phase == .tunnel,
            backend.queuedBytes < configuration.sendLowWater
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
            if backend.socket.isLive {
                if let tls = backend.tls {
                    backendTLSReceived(backend, tls, buffers.bytes(id, count: Int(result)))
                } else {
                    backendBytes(backend, buffers.bytes(id, count: Int(result)))
                }
            }
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
        case .idle, .notice: wanted = true
        case .active:
            guard let (client, _) = owner(of: backend) else { return }
            let queued = client.socket.sendQueue.byteCount
            wanted = backend.socket.inFlight.contains(.recv) ? queued < configuration.sendHighWater : queued < configuration.sendLowWater
        }
        if wanted && !backend.socket.inFlight.contains(.recv) {
            armBackendRecv(backend)
        } else if !wanted {
            cancelRecv(&backend.socket, op: .backendRecv, slot: backend.slot)
        }
    }

    func backendBytes(_ backend: BackendConnection, _ bytes: UnsafeRawBufferPointer) {
        guard case .active = backend.state, let (client, role) = owner(of: backend) else {
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
            let consumed = processBackendInput(backend, client, role, bytes)
            if consumed < bytes.count, backends.live(handle) != nil {
                backend.inbound.append(UnsafeRawBufferPointer(rebasing: bytes[consumed...]))
            }
        } else {
            backend.inbound.append(bytes)
            var input = backend.inbound
            backend.inbound = ByteAccumulator()
            let handle = backend.handle
            let consumed = input.withReadable { processBackendInput(backend, client, role, $0) }
            if backends.live(handle) != nil {
                input.consume(consumed)
                backend.inbound = input
            }
        }
    }

    /// Feeds response heads, then body bytes, to the exchange; returns how many bytes it used.
    private func processBackendInput(
        _ backend: BackendConnection, _ client: ClientConnection, _ role: ExchangeRole, _ bytes: UnsafeRawBufferPointer
    ) -> Int {
        var offset = 0
        while let readingBody = withExchange(client, role, { $0.isDone ? nil : $0.readingBody }) ?? nil {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            if readingBody {
                let backendQueueEmpty = backend.queuedBytes == 0
                let result = withExchange(client, role) { exchange in
                    exchange.receiveBody(rest, backendQueueEmpty: backendQueueEmpty) { chunk, chunked in
                        if chunked {
                            client.socket.sendQueue.appendChunk(chunk, pool: chunkPool)
                        } else {
                            client.socket.sendQueue.append(chunk, pool: chunkPool)
                        }
                    }
                }
                guard let (consumed, action) = result else { return bytes.count }
                if case .none = action {
                    queueClientFlush(client)
                    return offset + consumed
                }
                perform(action, client, role)
                return bytes.count
            }
            guard offset < bytes.count else { return offset }
            switch backend.parser.parse(rest) {
            case .incomplete:
                return offset
            case .failure:
                perform(step(client, role) { $0.handle(.malformedHead) }, client, role)
                return bytes.count
            case .complete(let head, let consumed):
                offset += consumed
                backend.parser.reset()
                if (head.status >= 200 || head.status == 101) && role != .nextLink {
                    client.socket.timerToken &+= 1  // the backend answered: no 504 any more
                }
                perform(step(client, role) { $0.handle(.headParsed(head)) }, client, role)
                guard owner(of: backend) != nil else { return bytes.count }  // the exchange let it go
                if client.phase == .tunnel {
                    tunnelFromBackend(client, UnsafeRawBufferPointer(rebasing: bytes[offset...]))
                    return bytes.count
                }
            }
        }
        return bytes.count
    }

    func backendEOF(_ backend: BackendConnection) {
        if backend.tls?.state == .handshaking { return backendHandshakeFailed(backend, "closed during the handshake") }
        guard case .active = backend.state, let (client, role) = owner(of: backend) else {
            closeBackend(backend)
            return
        }
        let generation = backend.socket.generation
        perform(step(client, role) { $0.handle(.backendEOF(receivedAny: backend.receivedAny)) }, client, role)
        if backend.socket.generation == generation { closeBackend(backend) }  // whatever came of it, this connection is done
    }

    /// The backend connection broke; the exchange decides: retry, 502, or cut off mid-body.
    func backendFailed(_ backend: BackendConnection) {
        if backend.tls?.state == .handshaking { return backendHandshakeFailed(backend, "reset during the handshake") }
        guard let (client, role) = owner(of: backend) else {
            closeBackend(backend)
            return
        }
        let generation = backend.socket.generation
        perform(step(client, role) { $0.handle(.backendReset(receivedAny: backend.receivedAny)) }, client, role)
        if backend.socket.generation == generation { closeBackend(backend) }
    }

    func backendDeadlinePassed(_ entry: TimerWheel.Entry) {
        guard let client = clients.live(entry.handle), client.socket.timerToken == entry.token else { return }
        for role in [ExchangeRole.request, .events] where withExchange(client, role, { $0.awaitingResponse }) == true {
            perform(step(client, role) { $0.handle(.timedOut) }, client, role)
            return
        }
    }

    // MARK: ownership

    /// The client (and which of its exchanges) a backend connection works for, if that
    /// exchange still uses it.
    func owner(of backend: BackendConnection) -> (ClientConnection, ExchangeRole)? {
        guard case let .active(clientHandle) = backend.state, let client = clients.live(clientHandle) else { return nil }
        let handle = backend.handle
        if client.exchange.backend == handle { return (client, .request) }
        if client.webSocket?.eventsBackend == handle { return (client, .events) }
        if client.recovery?.backend == handle { return (client, .nextLink) }
        return nil
    }

    /// The backend connection carrying `role`'s exchange of `client`, if any.
    func backend(of client: ClientConnection, _ role: ExchangeRole = .request) -> BackendConnection? {
        let handle =
            switch role {
            case .request: client.exchange.backend
            case .events: client.webSocket?.eventsBackend
            case .nextLink: client.recovery?.backend
            }
        guard let handle else { return nil }
        return backends.live(handle)
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
        guard let backend = backends.live(entry.handle), backend.socket.timerToken == entry.token else { return }
        switch backend.state {
        case .idle, .notice: closeBackend(backend)
        case .connecting, .active: break
        }
    }
}
