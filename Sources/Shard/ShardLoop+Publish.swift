import Hub
import IOUring
import Wire

/// Fan-out of a published message to this shard's subscribers.
extension ShardLoop {
    /// Stands in for the bytes of a delivery kind the message does not have.
    private static let noBytes = SharedBytes([])

    /// Queues the message's pre-encoded bytes on every subscriber of its channel: the same
    /// shared memory for all, one SQE each, submitted together at the end of the turn.
    func deliver(_ message: PublishMessage) {
        stats.messagesReceived += 1
        guard let subscribers = subscriptionTable.subscribers(of: message.channel) else { return }
        let latencyMicros = Int(max(0, now - message.acceptedAtNanos) / 1000)
        var ending: [ConnectionHandle] = []
        var slow: [UInt32] = []
        var delivered = 0
        // The message's bytes as plain references, bound once and never optional, so that in
        // the walk a subscriber costs one retain: the reference its queue keeps. Binding them
        // from the enums per subscriber retained every payload of the case and released the
        // unused one; perf showed those refcount operations (locked instructions, each waiting
        // for the walk's cache misses) at 12 % of a shard's time in stream fan-out. Nothing
        // copies a subscriber's `Hold` either (a copy retains every string and array in it).
        let (sendsStream, streamCloses, chunkedBytes, rawBytes): (Bool, Bool, SharedBytes, SharedBytes) =
            switch message.stream {
            case let .send(chunked, raw)?: (true, false, chunked, raw)
            case .close?: (false, true, Self.noBytes, Self.noBytes)
            case .hint?, nil: (false, false, Self.noBytes, Self.noBytes)
            }
        // GRIP reliable mode, decided per message: only items with an id or prev-id move or
        // check a session's position; hints make sessions catch up.
        let checksIDs = message.id != nil || message.prevID != nil
        let streamHints = if case .hint? = message.stream { true } else { false }
        var catchingUp: [ConnectionHandle] = []
        subscribers.lastPublishNanos = now
        if checksIDs { subscribers.lastID = message.id }
        if subscribers.filteredCount > 0 || message.differsPerSubscriber {
            // Decided once per message: the walk below is for the shared bytes only.
            deliverFiltered(message, to: subscribers, latencyMicros: latencyMicros)
            return
        }
        let (sendsWebSocket, webSocketCloses, webSocketFrame): (Bool, Bool, SharedBytes) =
            switch message.webSocket {
            case .send(let frame)?: (true, false, frame)
            case .close(let frame)?: (true, true, frame)
            case nil: (false, false, Self.noBytes)
            }
        let answersResponses = message.response != nil
        for slot in subscribers.members {
            let client = clients[Int(slot)]
            if let session = client.webSocket {
                guard sendsWebSocket, !session.closeSent else { continue }
                if client.socket.sendQueue.byteCount > configuration.heldQueueBytesMax
                    || client.socket.sendQueue.segmentCount > configuration.heldQueueSegmentsMax
                {
                    slow.append(slot)
                    continue
                }
                client.socket.sendQueue.append(shared: webSocketFrame)
                if webSocketCloses {
                    session.closeSent = true
                    ending.append(client.handle)
                } else {
                    stats.webSocketMessagesOut += 1
                }
                session.lastClientSendNanos = now
                scheduleFlush(client)
                delivered += 1
                continue
            }
            switch client.hold?.mode {
            case .stream?:
                if sendsStream {
                    if checksIDs, let recovery = client.recovery, !recovery.accepts(message) {
                        catchingUp.append(client.handle)  // a gap, or a fetch under way covers it
                        continue
                    }
                    if client.socket.sendQueue.byteCount > configuration.heldQueueBytesMax
                        || client.socket.sendQueue.segmentCount > configuration.heldQueueSegmentsMax
                    {
                        slow.append(slot)
                        continue
                    }
                    if client.hold?.chunked ?? true {  // not a ternary: that costs a retain and release
                        client.socket.sendQueue.append(shared: chunkedBytes)
                    } else {
                        client.socket.sendQueue.append(shared: rawBytes)
                    }
                    client.hold?.lastSendNanos = now
                    scheduleFlush(client)
                    delivered += 1
                } else if streamCloses {
                    ending.append(client.handle)
                } else if streamHints && client.recovery != nil {
                    catchingUp.append(client.handle)
                }
            case .response?:
                if answersResponses {
                    if checksIDs, let recovery = client.recovery, recovery.conflicts(message) {
                        catchingUp.append(client.handle)  // requested again (paced), not answered
                    } else {
                        ending.append(client.handle)
                    }
                } else if message.hintsResponses && client.recovery != nil {
                    catchingUp.append(client.handle)
                }
            case nil:
                continue
            }
        }
        finishDelivery(
            message, ending: ending, catchingUp: catchingUp, slow: slow, delivered: delivered, latencyMicros: latencyMicros)
    }

    /// After the walk, whatever changes channel membership: publish-closed WebSockets and
    /// streams, answered long-polls, sessions catching up, slow subscribers closed; then the
    /// counters.
    func finishDelivery(
        _ message: PublishMessage, ending: [ConnectionHandle], catchingUp: [ConnectionHandle], slow: [UInt32], delivered: Int,
        latencyMicros: Int
    ) {
        let answersResponses = message.response != nil
        var delivered = delivered
        var merged = MergedResponses()
        for handle in ending {
            guard let client = clients.occupant(handle) else { continue }
            if let session = client.webSocket {
                // Closed by a publish: no more messages; wait (bounded) for the client's close.
                unsubscribeAll(client)
                session.detached = true
                closeAfterQueue(client)
                continue
            }
            guard let hold = client.hold else { continue }
            switch hold.mode {
            case .stream:
                closeStream(client)
            case .response:
                if let response = message.response {
                    respondToHold(client, hold, response, merged: &merged)
                    delivered += 1
                }
            }
        }
        for handle in catchingUp {
            guard let client = clients.live(handle) else { continue }
            // Long-poll conflicts are paced by the limiter, as in Pushpin; gaps and hints are not.
            if answersResponses && client.hold?.mode == .response { catchUpLater(client) } else { bringUpToDate(client) }
        }
        for slot in slow {
            stats.slowSubscriberCloses += 1
            stats.deliveriesDropped += 1
            closeClient(clients[Int(slot)])
        }
        stats.messagesDelivered += delivered
        if delivered > 0 { stats.recordLatency(micros: latencyMicros, count: delivered) }
    }

    /// Sends for published messages wait until every command of the turn is handled, so a
    /// subscriber that gets several messages in one turn gets them in one gathering send, not
    /// one send each (each send is a TCP segment the receiver has to process too).
    func scheduleFlush(_ client: ClientConnection) {
        guard !client.deliveryFlushScheduled else { return }
        client.deliveryFlushScheduled = true
        deliveryFlushes.append(client.handle)
    }

    func flushDeliveries() {
        for handle in deliveryFlushes {
            guard let client = clients.occupant(handle) else { continue }
            client.deliveryFlushScheduled = false
            flushClient(client)
            // One submit of thousands of sends holds the core for tens of milliseconds, as the
            // kernel runs each loopback delivery inline; in chunks, the readers run in between.
            // A failed early submit leaves its entries for the turn's own submit.
            if ring.pending >= configuration.deliverySubmitChunk { _ = try? ring.submit() }
        }
        deliveryFlushes.removeAll(keepingCapacity: deliveryFlushes.count <= 4096)
    }

    /// A long-poll gets its published response: the shared encoding when nothing of the
    /// hold's own headers has to be merged in, otherwise one built for this client.
    /// `body`: this hold's own body (filtered, or patched), instead of the item's.
    func respondToHold(
        _ client: ClientConnection, _ hold: Hold, _ response: PublishMessage.ResponseDelivery, body: [UInt8]? = nil,
        merged: inout MergedResponses
    ) {
        endHold(client)
        let itemNames = response.headers.map(\.name)
        let holdAddsHeaders = hold.timeoutResponse.headers.contains { field in
            !itemNames.contains { HTTPHeaders.namesEqual($0, field.name) }
        }
        if body == nil && hold.version == .http11 && hold.keepAlive && !client.readClosed && !draining
            && client.exchange.crossOrigin == nil  // CORS or JSON-P: built for this client
        {
            // The common case: one encoding shared by every long-poll whose own headers are the
            // same (usually all of them), built once per message.
            let bytes = holdAddsHeaders ? merged.bytes(for: hold.timeoutResponse.headers, response) : response.encoded
            client.socket.sendQueue.append(shared: bytes)
            stats.countResponse(status: response.status)
            flushClient(client)
            client.exchange.requestDecoder = nil
            finishExchange(client, closeAfter: false)
        } else {
            var headers = HTTPHeaders()
            for field in hold.timeoutResponse.headers where !itemNames.contains(where: { HTTPHeaders.namesEqual($0, field.name) }) {
                headers.add(field.name, field.value)
            }
            for field in response.headers { headers.add(field.name, field.value) }
            let body = body ?? Array(response.body.bytes)
            sendFinalResponse(
                client, GripResponse(status: response.status, reason: response.reason, headers: headers, body: body),
                keepAlive: hold.keepAlive)
        }
        resumeLater(client)
    }
}

/// Encodings of one published `http-response` merged with a hold's own headers, built once
/// per distinct header set during one delivery.
struct MergedResponses {
    private var built: [(headers: HTTPHeaders, bytes: SharedBytes)] = []

    mutating func bytes(for holdHeaders: HTTPHeaders, _ response: PublishMessage.ResponseDelivery) -> SharedBytes {
        if let known = built.first(where: { $0.headers == holdHeaders }) { return known.bytes }
        let itemNames = response.headers.map(\.name)
        var headers = HTTPHeaders()
        for field in holdHeaders where !itemNames.contains(where: { HTTPHeaders.namesEqual($0, field.name) }) {
            headers.add(field.name, field.value)
        }
        for field in response.headers where !HTTPHeaders.namesEqual(field.name, "Content-Length") {
            headers.add(field.name, field.value)
        }
        headers.add("Content-Length", String(response.body.count))
        var out: [UInt8] = []
        out.reserveCapacity(256 + response.body.count)
        HTTPWriter.appendResponseHead(
            HTTPResponseHead(version: .http11, status: response.status, reason: response.reason, headers: headers), to: &out)
        out.append(contentsOf: response.body.bytes)
        let bytes = SharedBytes(out)
        if built.count < 8 { built.append((holdHeaders, bytes)) }
        return bytes
    }
}
