import IOUring

/// Time limits on clients that owe the shard a request: a head that never completes
/// (slowloris), a keep-alive connection that never starts its next request, a body that
/// stalls. Once the request is complete the client owes nothing: a pending response is the
/// backend timeout's business, and held, WebSocket and tunnelled connections have no limit.
extension ShardLoop {
    /// Puts `client` under `kind`'s limit from now, replacing the one in force; a limit
    /// configured as 0 leaves the client with none.
    func limitClient(_ client: ClientConnection, _ kind: ClientTimeLimit.Kind) {
        let timeout = clientTimeoutNanos(kind)
        guard timeout > 0 else {
            client.timeLimit.clear()
            return
        }
        if let deadline = client.timeLimit.set(kind, deadlineNanos: now + timeout) {
            scheduleTimeLimit(client, deadlineNanos: deadline)
        }
    }

    /// A new connection (or a TLS one whose handshake is done) owes its first request head.
    func limitFirstRequest(_ client: ClientConnection) {
        limitClient(client, configuration.clientHeaderTimeoutNanos > 0 ? .header : .idle)
    }

    /// Body bytes arrived, or reading resumed after backpressure: the body limit restarts.
    func extendBodyLimit(_ client: ClientConnection) {
        guard client.timeLimit.kind == .body else { return }
        client.timeLimit.extend(to: now + configuration.clientBodyTimeoutNanos)
    }

    func clientTimeLimitFired(_ entry: TimerWheel.Entry) {
        guard let client = clients.live(entry.handle) else { return }
        switch client.timeLimit.fired(token: entry.token, nowNanos: now) {
        case .none:
            break
        case .reschedule(let deadline):
            scheduleTimeLimit(client, deadlineNanos: deadline)
        case .expired(let kind):
            clientTimedOut(client, kind)
        }
    }

    private func clientTimeoutNanos(_ kind: ClientTimeLimit.Kind) -> Int64 {
        switch kind {
        case .handshake: return configuration.clientHandshakeTimeoutNanos
        case .header: return configuration.clientHeaderTimeoutNanos
        case .idle: return configuration.clientIdleTimeoutNanos
        case .body: return configuration.clientBodyTimeoutNanos
        }
    }

    private func scheduleTimeLimit(_ client: ClientConnection, deadlineNanos: Int64) {
        timers.schedule(
            kind: TimerKind.clientTimeLimit.rawValue, slot: client.slot, generation: client.socket.generation,
            token: client.timeLimit.token, deadlineNanos: deadlineNanos)
    }

    /// The limit passed. A request in progress is answered 408 before the close; a
    /// connection with nothing of a request in progress is closed silently, as every server
    /// does with idle connections.
    private func clientTimedOut(_ client: ClientConnection, _ kind: ClientTimeLimit.Kind) {
        guard !client.closeAfterSend else { return }
        switch kind {
        case .handshake:
            guard client.tls?.stream.state == .handshaking else { return }
            stats.tlsHandshakeTimeouts += 1
            closeClient(client)
        case .header:
            guard client.phase == .awaitingHead else { return }
            if client.tls?.stream.state == .handshaking {  // no handshake limit of its own
                stats.tlsHandshakeTimeouts += 1  // a stalled handshake is closed like a silent client
                closeClient(client)
                return
            }
            stats.clientHeaderTimeouts += 1
            if client.inbound.isEmpty {
                closeClient(client)  // not a byte since the accept
            } else {
                refuseRequest(client, status: 408, body: "Request header not received in time.\n")
            }
        case .idle:
            guard client.phase == .awaitingHead else { return }
            guard client.socket.sendQueue.isEmpty && !client.socket.inFlight.contains(.send) else {
                limitClient(client, .idle)  // still sending the last response: not idle yet
                return
            }
            stats.clientIdleTimeouts += 1
            closeClient(client)
        case .body:
            guard client.phase == .requestBody else { return }
            guard !bodyWaitsForBackend(client) else {
                limitClient(client, .body)  // the shard is not reading: not the client's stall
                return
            }
            stats.clientBodyTimeouts += 1
            refuseRequest(client, status: 408, body: "Request body not received in time.\n")
        }
    }

    /// The body is held up on the shard's side: the backend is still connecting or not
    /// taking bytes, so the client is not being read.
    private func bodyWaitsForBackend(_ client: ClientConnection) -> Bool {
        if !client.socket.inFlight.contains(.recv) { return true }
        guard let backend = backend(of: client) else { return false }
        return !backend.isEstablished || backend.queuedBytes >= configuration.sendHighWater
    }
}
