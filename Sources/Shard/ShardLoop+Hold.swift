import Hub
import IOUring
import Wire

/// GRIP holds: turning an exchange into a held connection, its timers, and ending it.
extension ShardLoop {
    /// A backend answered with GRIP instructions (collected whole): parse and act on them.
    func applyGrip(_ client: ClientConnection, _ head: HTTPResponseHead, _ body: [UInt8]) {
        if client.exchange.crossOrigin?.jsonp != nil && !GripInstructionParser.isGrip(head) {
            // A JSON-P request's plain answer, collected to be wrapped whole.
            let response = GripResponse(status: head.status, reason: head.reason, headers: HopByHop.stripped(head.headers), body: body)
            sendFinalResponse(client, response, keepAlive: client.exchange.keepAlive, gripStyle: false)
            resumeLater(client)
            return
        }
        switch GripInstructionParser.parse(head: head, body: body, subscriptionMax: configuration.subscriptionsPerConnectionMax) {
        case .success(let instruction):
            if let problem = instruction.streamPrevIDWithoutNextLink {
                // Pushpin 1.36 sends the initial response and ends the stream: nothing can
                // recover the items such a stream would miss.
                logger.warning("invalid GRIP instructions from backend: \(problem)")
                stats.backendInvalidResponses += 1
                sendFinalResponse(client, instruction.response, keepAlive: false)
            } else {
                applyInstruction(client, instruction)
            }
        case .failure(let error):
            logger.warning("invalid GRIP instructions from backend: \(error)")
            stats.backendInvalidResponses += 1
            respondProxyError(client, .badBackendResponse)
        }
        resumeLater(client)
    }

    /// Acts on the instructions a backend (or the test handler) answered with.
    func applyInstruction(_ client: ClientConnection, _ instruction: GripInstruction) {
        // No hold but a next link: the response starts a stream the next links continue.
        let paging = instruction.hold == nil && instruction.nextLink != nil && client.exchange.forwardedRequest != nil
        guard let mode = paging ? .stream : instruction.hold, client.exchange.method != "HEAD" else {
            // GRIP headers without a hold: the (cleaned) response goes out as a normal one. A
            // HEAD request cannot be held either: nothing may follow its response's head.
            sendFinalResponse(client, instruction.response, keepAlive: client.exchange.keepAlive)
            return
        }
        let channels = instruction.channels.map { client.exchange.channelPrefix + $0.name }
        let filters = SessionFilters.of(instruction, prefix: client.exchange.channelPrefix)
        var initialResponse = instruction.response
        if mode == .stream, let filters, !initialResponse.body.isEmpty,
            let rendered = GripFilterStack.applyToResponse(
                filters.channels.map(\.filters), to: initialResponse.body,
                filters.context(publishMeta: [:], positions: ChannelPositions(instruction.channels.map {
                    ChannelPositions.Entry(channel: client.exchange.channelPrefix + $0.name, lastID: $0.prevID)
                })))
        {
            switch rendered {
            case .success(let body):
                initialResponse.body = body
            case .failure(let error):
                // As Pushpin: the stream's head goes out, its body does not, and it ends there.
                logger.warning("GRIP filter error in the initial response: \(error)")
                stats.filterErrors += 1
                initialResponse.body = []
                sendFinalResponse(client, initialResponse, keepAlive: client.exchange.keepAlive)
                return
            }
        }
        var hold = Hold(mode: mode, timeoutResponse: instruction.response)
        hold.version = client.exchange.version
        hold.keepAlive = client.exchange.keepAlive
        hold.lastSendNanos = now
        hold.timeoutSeconds = instruction.timeoutSeconds
        client.exchange.testRequest = nil
        switch mode {
        case .stream:
            hold.chunked = client.exchange.version == .http11
            startStream(client, initialResponse, chunked: hold.chunked)
            if let keepAlive = instruction.keepAlive {
                hold.keepAliveBytes = frame(keepAlive.content, chunked: hold.chunked)
                hold.keepAliveNanos = Int64(keepAlive.timeoutSeconds) * 1_000_000_000
                hold.keepAliveMode = keepAlive.mode
            }
            heldStreamCount += 1
        case .response:
            heldResponseCount += 1
        }
        client.hold = hold
        client.phase = .held
        statsConnected(client)
        let recovery = makeRecovery(client, instruction, prefixedChannels: channels)
        client.recovery = recovery
        recovery?.paging = paging
        client.filters = filters
        if !paging {
            for channel in channels { subscribe(client, to: channel, filtered: filters?.isFiltered(channel) ?? false) }
        }
        armHoldTimer(client)
        if let recovery { startRecovery(client, recovery) }
    }

    /// The initial response of a stream hold: head now, body as the first chunk, written
    /// straight into the shard's scratch buffer (no header copy, no framed body array).
    private func startStream(_ client: ClientConnection, _ response: GripResponse, chunked: Bool) {
        var headers = response.headers
        if let cors = client.exchange.crossOrigin?.cors { headers = cors.applied(to: headers) }
        headScratch.removeAll(keepingCapacity: true)
        HTTPWriter.appendStreamHead(status: response.status, reason: response.reason, headers: headers, chunked: chunked, to: &headScratch)
        if chunked {
            response.body.withUnsafeBytes { HTTPWriter.appendChunk($0, to: &headScratch) }
        } else {
            headScratch += response.body
        }
        stats.countResponse(status: response.status)
        client.socket.sendQueue.append(headScratch, pool: chunkPool)
        queueClientFlush(client)
    }

    func frame(_ content: [UInt8], chunked: Bool) -> [UInt8] {
        guard chunked else { return content }
        var out: [UInt8] = []
        content.withUnsafeBytes { HTTPWriter.appendChunk($0, to: &out) }
        return out
    }

    /// Response holds time out; stream holds with a keep-alive wake up to send it.
    func armHoldTimer(_ client: ClientConnection) {
        // Field by field: `let hold = client.hold` would copy (retain) its response and bytes.
        guard let mode = client.hold?.mode else { return }
        switch mode {
        case .response:
            let seconds = Int64(max(client.hold?.timeoutSeconds ?? 0, 1))
            schedule(.holdTimer, slot: client.slot, socket: &client.socket, afterNanos: seconds * 1_000_000_000)
        case .stream:
            let keepAliveNanos = client.hold?.keepAliveNanos ?? 0
            guard keepAliveNanos > 0 else { return }
            let base = client.hold?.keepAliveMode == .idle ? client.hold?.lastSendNanos ?? now : now
            let due = max(base + keepAliveNanos - now, timers.tickNanos)
            schedule(.holdTimer, slot: client.slot, socket: &client.socket, afterNanos: due)
        }
    }

    func holdTimerFired(_ entry: TimerWheel.Entry) {
        guard let client = clients.live(entry.handle), client.socket.timerToken == entry.token, let hold = client.hold
        else { return }
        switch hold.mode {
        case .response:
            endHold(client)
            sendFinalResponse(client, hold.timeoutResponse, keepAlive: hold.keepAlive)
            resumeLater(client)
        case .stream:
            if hold.keepAliveMode == .idle && now - hold.lastSendNanos < hold.keepAliveNanos {
                armHoldTimer(client)  // something was sent meanwhile: not idle yet
                return
            }
            client.socket.sendQueue.append(hold.keepAliveBytes, pool: chunkPool)
            client.hold?.lastSendNanos = now
            flushClient(client)
            armHoldTimer(client)
        }
    }

    /// A complete response with Content-Length, then the connection carries on (or closes).
    func sendFinalResponse(_ client: ClientConnection, _ response: GripResponse, keepAlive: Bool, gripStyle: Bool = true) {
        let close = !keepAlive || client.readClosed || draining
        let response = client.exchange.crossOrigin?.finalResponse(response, held: gripStyle) ?? response
        var headers = response.headers
        headers.remove("Content-Length")
        headers.add("Content-Length", String(response.body.count))
        if close {
            headers.add("Connection", "close")
        } else if client.exchange.version == .http10 || client.hold?.version == .http10 {
            headers.add("Connection", "keep-alive")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256 + response.body.count)
        HTTPWriter.appendResponseHead(
            HTTPResponseHead(version: .http11, status: response.status, reason: response.reason, headers: headers), to: &bytes)
        if client.exchange.method != "HEAD" { bytes += response.body }
        stats.countResponse(status: response.status)
        client.socket.sendQueue.append(bytes, pool: chunkPool)
        queueClientFlush(client)
        client.exchange.requestDecoder = nil
        client.exchange.keepAlive = !close
        finishExchange(client, closeAfter: close)
    }

    /// Stops holding: unsubscribes and forgets the hold (the caller sends what ends it).
    func endHold(_ client: ClientConnection) {
        guard let hold = client.hold else { return }
        switch hold.mode {
        case .stream: heldStreamCount -= 1
        case .response: heldResponseCount -= 1
        }
        client.socket.timerToken &+= 1
        statsDisconnected(client)
        unsubscribeAll(client)
        if let recovery = client.recovery {
            if let action = withExchange(client, .nextLink, { $0.handle(.clientGone) }) { perform(action, client, .nextLink) }
            releaseBackend(client, .nextLink, reusable: false)
            recovery.requester.cancel()
            recovery.timerToken &+= 1
            client.recovery = nil
            releaseFollowers(recovery, of: client.handle)
        }
        client.hold = nil
        client.exchange.version = hold.version
        client.exchange.keepAlive = hold.keepAlive
        client.phase = .awaitingResponse
    }

    /// A stream ends cleanly (publish `close`): terminating chunk, then keep-alive or close.
    func closeStream(_ client: ClientConnection) {
        guard let hold = client.hold, hold.mode == .stream else { return }
        endHold(client)
        if hold.chunked {
            var last: [UInt8] = []
            HTTPWriter.appendLastChunk(to: &last)
            client.socket.sendQueue.append(last, pool: chunkPool)
            queueClientFlush(client)
            client.exchange.requestDecoder = nil
            finishExchange(client, closeAfter: !hold.keepAlive)
            resumeLater(client)
        } else {
            client.closeAfterSend = true  // close-delimited: the close ends the body
            if client.socket.sendQueue.isEmpty && !client.socket.inFlight.contains(.send) { startLinger(client) }
        }
    }

    // MARK: subscriptions

    /// `filtered`: the subscription has filters (`client.filters` holds them).
    func subscribe(_ client: ClientConnection, to channel: String, filtered: Bool = false) {
        guard !client.subscriptions.contains(where: { $0.channel.name == channel }) else { return }
        let (subscription, isFirst) = subscriptionTable.add(channel, slot: client.slot, filtered: filtered)
        client.subscriptions.append(subscription)
        statsSubscriber(client, channel: channel, delta: 1)
        if isFirst {
            enqueueReport(.subscribed(shard: index, channel: channel))
            if configuration.updateOnFirstSubscription { catchUpLater(firstSubscriberOf: channel) }
        }
    }

    func unsubscribe(_ client: ClientConnection, from channel: String) {
        guard let position = client.subscriptions.firstIndex(where: { $0.channel.name == channel }) else { return }
        let subscription = client.subscriptions.remove(at: position)
        statsSubscriber(client, channel: channel, delta: -1)
        release(subscription)
        client.filters?.channels.removeAll { $0.subscribedName == channel }
    }

    func unsubscribeAll(_ client: ClientConnection) {
        for subscription in client.subscriptions {
            statsSubscriber(client, channel: subscription.channel.name, delta: -1)
            release(subscription)
        }
        client.subscriptions.removeAll()
        client.filters = nil
    }

    private func release(_ subscription: Subscription) {
        do {
            let (moved, isLast) = subscriptionTable.remove(subscription)
            if let moved {
                let other = clients[Int(moved)]
                if let position = other.subscriptions.firstIndex(where: { $0.channel === subscription.channel }) {
                    other.subscriptions[position].index = subscription.index
                }
            }
            if isLast { enqueueReport(.unsubscribed(shard: index, channel: subscription.channel.name)) }
        }
    }
}
