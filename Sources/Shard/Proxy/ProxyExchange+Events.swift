import Wire

/// The exchange's transitions on connection and head events.
extension ProxyExchange {
    mutating func handle(_ event: Event) -> Action {
        switch event {
        case .connected(let reused): return connected(reused: reused)
        case .connectFailed: return connectFailed()
        case .requestBodyBytes: return requestBodyBytes()
        case .requestBodyComplete: return requestBodyComplete()
        case .headParsed(let head): return headParsed(head)
        case .malformedHead: return malformedHead()
        case .backendEOF(let receivedAny): return backendEOF(receivedAny: receivedAny)
        case .backendReset(let receivedAny): return backendReset(receivedAny: receivedAny)
        case .timedOut: return timedOut()
        case .clientGone:
            let hadBackend = !isDone
            state = .done
            return hadBackend ? .closeBackend : .none
        }
    }

    private mutating func connected(reused: Bool) -> Action {
        guard case .connecting(let connecting) = state else { return unexpected(.connected(reused: reused)) }
        let attempt = Attempt(candidate: connecting.candidate, usePool: connecting.usePool, staleRetry: reused && connecting.usePool)
        state = connecting.requestComplete ? .awaitingHead(attempt) : .sendingBody(attempt)
        return .sendRequest
    }

    /// The current candidate cannot be reached: the next one, or 502 when none is left.
    private mutating func connectFailed() -> Action {
        guard case .connecting(var connecting) = state else { return unexpected(.connectFailed) }
        connecting.candidate += 1
        guard connecting.candidate < candidateCount else {
            state = .done
            return .fail(.connectFailed)
        }
        state = .connecting(connecting)
        return .connect(candidate: connecting.candidate, usePool: connecting.usePool)
    }

    private mutating func requestBodyBytes() -> Action {
        let chunked = requestBody == .chunked
        switch state {
        case .sendingBody(var attempt):
            attempt.staleRetry = false  // the body is gone with the connection: no retry
            state = .sendingBody(attempt)
        case .relaying, .collecting:
            break
        case .connecting, .awaitingHead, .tunnelling, .done:
            return unexpected(.requestBodyBytes)
        }
        return .forwardBody(chunked: chunked)
    }

    private mutating func requestBodyComplete() -> Action {
        let action: Action = requestBody == .chunked ? .sendLastChunk : .none
        switch state {
        case .sendingBody(var attempt):
            if requestBody == .chunked { attempt.staleRetry = false }
            state = .awaitingHead(attempt)
        case .relaying(var relay):
            relay.requestComplete = true
            state = .relaying(relay)
        case .collecting(var collection):
            state = .done
            collection.requestComplete = true
            state = .collecting(collection)
        case .connecting, .awaitingHead, .tunnelling, .done:
            return unexpected(.requestBodyComplete)
        }
        return action
    }

    /// A response head: interim ones are skipped; a final one decides relay, collect or tunnel.
    private mutating func headParsed(_ head: HTTPResponseHead) -> Action {
        var attempt: Attempt
        let requestComplete: Bool
        switch state {
        case .sendingBody(let current):
            (attempt, requestComplete) = (current, false)
        case .awaitingHead(let current):
            (attempt, requestComplete) = (current, true)
        case .connecting, .relaying, .collecting, .tunnelling, .done:
            return unexpected(.headParsed(head))
        }
        if head.status >= 100 && head.status < 200 && head.status != 101 {
            attempt.staleRetry = false  // the backend is alive and answering
            state = requestComplete ? .awaitingHead(attempt) : .sendingBody(attempt)
            return .none
        }
        let framing: BodyFraming
        do {
            framing = try head.bodyFraming(requestMethod: method)
        } catch {
            state = .done
            return .fail(.badBackendResponse)
        }
        forwardedHead = []  // answered: no more retries
        let backendKeepAlive = head.keepAlive && framing != .untilClose
        switch handling {
        case .upgrade where head.status == 101:
            state = .tunnelling
            return .startTunnel(head)
        case .collect(let limit):
            return collect(head, framing, limit: limit, backendKeepAlive: backendKeepAlive, requestComplete: requestComplete)
        case .relay(gripBodyMax: let limit?) where GripInstructionParser.isGrip(head):
            return collect(head, framing, limit: limit, backendKeepAlive: backendKeepAlive, requestComplete: requestComplete)
        case .relay, .upgrade:
            let plan = ResponseRelay.plan(for: head, framing: framing, clientVersion: clientVersion, clientKeepAlive: clientKeepAlive)
            state = .relaying(
                Relay(
                    decoder: BodyDecoder(framing: framing), chunked: plan.chunked, closeClient: plan.close,
                    backendKeepAlive: backendKeepAlive && !plan.untilClose, requestComplete: requestComplete))
            return .sendResponseHead(plan)
        }
    }

    private mutating func collect(
        _ head: HTTPResponseHead, _ framing: BodyFraming, limit: Int, backendKeepAlive: Bool, requestComplete: Bool
    ) -> Action {
        state = .collecting(
            Collection(
                head: head, body: [], limit: limit, decoder: BodyDecoder(framing: framing), backendKeepAlive: backendKeepAlive,
                requestComplete: requestComplete))
        return .none
    }

    private mutating func malformedHead() -> Action {
        switch state {
        case .sendingBody, .awaitingHead:
            state = .done
            return .fail(.badBackendResponse)
        case .connecting, .relaying, .collecting, .tunnelling, .done:
            return unexpected(.malformedHead)
        }
    }

    /// The backend closed: that may end a close-delimited body; before the head it is a failure.
    private mutating func backendEOF(receivedAny: Bool) -> Action {
        switch state {
        case .relaying(var relay):
            state = .done
            guard relay.decoder.finishAtEOF() else { return .abort }
            return .finish(reusable: false, lastChunk: relay.chunked, closeClient: relay.closeClient)
        case .collecting(var collection):
            state = .done
            guard collection.decoder.finishAtEOF() else { return .fail(.backendReset) }
            return .deliver(head: collection.head, body: collection.body, reusable: false)
        case .tunnelling:
            state = .done
            return .endTunnel
        case .sendingBody, .awaitingHead:
            return backendReset(receivedAny: receivedAny)
        case .connecting, .done:
            return unexpected(.backendEOF(receivedAny: receivedAny))
        }
    }

    /// The connection broke. Before any answer, a pooled connection that only carried the
    /// head is retried once on a fresh connection; otherwise 502, or cut off mid-response.
    private mutating func backendReset(receivedAny: Bool) -> Action {
        switch state {
        case .sendingBody(let attempt), .awaitingHead(let attempt):
            if attempt.staleRetry && !receivedAny {
                let requestComplete = if case .awaitingHead = state { true } else { false }
                state = .connecting(Connecting(candidate: attempt.candidate, usePool: false, requestComplete: requestComplete))
                return .connect(candidate: attempt.candidate, usePool: false)
            }
            state = .done
            return .fail(.backendReset)
        case .collecting:
            state = .done
            return .fail(.backendReset)
        case .relaying, .tunnelling:
            state = .done
            return .abort
        case .connecting, .done:
            return unexpected(.backendReset(receivedAny: receivedAny))
        }
    }

    private mutating func timedOut() -> Action {
        switch state {
        case .connecting, .sendingBody, .awaitingHead, .collecting:
            state = .done
            return .fail(.backendTimeout)
        case .relaying, .tunnelling, .done:
            return unexpected(.timedOut)
        }
    }

    private func unexpected(_ event: Event) -> Action {
        assertionFailure("ProxyExchange: \(event) in \(state)")
        return .none
    }
}
