import Hub
import IOUring
import Wire

/// Fan-out of a message whose channel has subscribers with filters, or whose content differs
/// per subscriber (`content-filters`, `body-patch`). Chosen once per message by `deliver`;
/// a subscriber without filters still gets the shared bytes here, a filtered one gets bytes
/// of its own. Reliable sessions are checked and moved as in `deliver`.
extension ShardLoop {
    func deliverFiltered(_ message: PublishMessage, to subscribers: ChannelSubscribers, latencyMicros: Int) {
        var ending: [ConnectionHandle] = []
        var answers: [(handle: ConnectionHandle, body: [UInt8]?)] = []
        var catchingUp: [ConnectionHandle] = []
        var slow: [UInt32] = []
        var delivered = 0
        let filtering = message.filtering
        let checksIDs = message.id != nil || message.prevID != nil
        var patched = PatchedBodies()
        for slot in subscribers.members {
            let client = clients[Int(slot)]
            let sessionFilters = client.filters
            let channel = sessionFilters?.index(of: message.channel).map { sessionFilters!.channels[$0] }
            let filters = channel?.filters ?? []
            let contentFilterNames = channel?.contentFilterNames ?? []

            if let session = client.webSocket {
                guard let delivery = message.webSocket, !session.closeSent else { continue }
                guard contentFiltersMatch(filtering.webSocketContentFilters, contentFilterNames) else { continue }
                var own: [UInt8]? = nil
                if !filters.isEmpty {
                    // A WebSocket's filters see its live meta and every channel it is subscribed to.
                    let context = GripFilterContext(
                        subscriptionMeta: session.meta, publishMeta: filtering.meta,
                        channels: client.subscriptions.map { (name: String($0.channel.name.dropFirst(session.channelPrefix.count)), id: nil) })
                    switch ownContent(filters, filtering.webSocketMessage?.payload, context) {
                    case .shared: break
                    case .skip: continue
                    case .own(let content):
                        if let original = filtering.webSocketMessage { own = WebSocketEncoder.publishedMessage(opcode: original.opcode, content) }
                    }
                }
                if isSlow(client) {
                    slow.append(slot)
                    continue
                }
                switch delivery {
                case .send(let frame):
                    if let own { client.socket.sendQueue.append(own, pool: chunkPool) } else { client.socket.sendQueue.append(shared: frame) }
                    stats.webSocketMessagesOut += 1
                case .close(let frame):
                    client.socket.sendQueue.append(shared: frame)
                    session.closeSent = true
                    ending.append(client.handle)
                }
                session.lastClientSendNanos = now
                scheduleFlush(client)
                delivered += 1
                continue
            }

            guard let mode = client.hold?.mode else { continue }
            switch mode {
            case .stream:
                switch message.stream {
                case let .send(chunked, raw)?:
                    if checksIDs, let recovery = client.recovery, !recovery.accepts(message) {
                        catchingUp.append(client.handle)  // a gap, or a fetch under way covers it
                        continue
                    }
                    guard contentFiltersMatch(filtering.streamContentFilters, contentFilterNames) else { continue }
                    var own: [UInt8]? = nil
                    if !filters.isEmpty, let sessionFilters {
                        // Ids as the session has them now: this item's on its channel (Pushpin's order).
                        let context = sessionFilters.context(publishMeta: filtering.meta, positions: client.recovery?.positions)
                        let content = filters.contains(where: \.rewritesContent) ? Array(raw.bytes) : nil
                        switch ownContent(filters, content, context) {
                        case .shared: break
                        case .skip: continue
                        case .own(let bytes): own = bytes
                        }
                    }
                    if isSlow(client) {
                        slow.append(slot)
                        continue
                    }
                    let isChunked = client.hold?.chunked ?? true
                    if let own {
                        client.socket.sendQueue.append(frame(own, chunked: isChunked), pool: chunkPool)
                    } else {
                        client.socket.sendQueue.append(shared: isChunked ? chunked : raw)
                    }
                    client.hold?.lastSendNanos = now
                    scheduleFlush(client)
                    delivered += 1
                case .close?:
                    // A close too is withheld by the delivery filters (a `require-sub` kick).
                    if !filters.isEmpty, let sessionFilters,
                        case .skip = ownContent(filters, nil, sessionFilters.context(publishMeta: filtering.meta, positions: nil))
                    {
                        continue
                    }
                    ending.append(client.handle)
                case .hint?:
                    if client.recovery != nil { catchingUp.append(client.handle) }
                case nil:
                    continue
                }
            case .response:
                if let response = message.response, let hold = client.hold {
                    if checksIDs, let recovery = client.recovery, recovery.conflicts(message) {
                        catchingUp.append(client.handle)  // requested again (paced), not answered
                        continue
                    }
                    guard contentFiltersMatch(filtering.responseContentFilters, contentFilterNames) else { continue }
                    var body: [UInt8]? = nil
                    if let patch = response.bodyPatch {
                        switch patched.body(for: hold.timeoutResponse.body, patch) {
                        case .success(let bytes): body = bytes
                        case .failure(let error):
                            logger.debug("body-patch not applied: \(error)")
                            stats.filterErrors += 1
                            continue
                        }
                    }
                    if !filters.isEmpty, let sessionFilters {
                        // The session's position moves to this item before its filters run, as in Pushpin.
                        var positions = client.recovery?.positions
                        positions?.advance(channel: message.channel, id: message.id)
                        let context = sessionFilters.context(publishMeta: filtering.meta, positions: positions)
                        let content = filters.contains(where: \.rewritesContent) ? body ?? Array(response.body.bytes) : nil
                        switch ownContent(filters, content, context) {
                        case .shared: break
                        case .skip: continue
                        case .own(let bytes): body = bytes
                        }
                    }
                    answers.append((client.handle, body))
                } else if message.hintsResponses && client.recovery != nil {
                    catchingUp.append(client.handle)
                }
            }
        }
        var merged = MergedResponses()
        for answer in answers {
            guard let client = clients.occupant(answer.handle), let hold = client.hold, let response = message.response else { continue }
            respondToHold(client, hold, response, body: answer.body, merged: &merged)
            delivered += 1
        }
        finishDelivery(
            message, ending: ending, catchingUp: catchingUp, slow: slow, delivered: delivered, latencyMicros: latencyMicros)
    }

    /// A format with `content-filters` reaches only subscriptions whose content-rewriting
    /// filters are exactly those (Pushpin ≥ 1.41 skips the item; 1.36 ended the stream).
    private func contentFiltersMatch(_ required: [String]?, _ subscription: [String]) -> Bool {
        guard let required, required != subscription else { return true }
        stats.deliveriesFiltered += 1
        return false
    }

    private enum FilteredContent {
        /// The item as everyone gets it: the shared bytes.
        case shared
        /// Rewritten for this subscriber.
        case own([UInt8])
        /// Withheld by a delivery filter, or a content filter could not render it.
        case skip
    }

    /// What a filtered subscriber gets of `content`. Only content filters (`build-id`,
    /// `var-subst`) make bytes of its own; with delivery filters alone (or no content: a
    /// close) it gets the shared bytes, or nothing, and callers pass no content to copy.
    private func ownContent(_ filters: [GripFilter], _ content: [UInt8]?, _ context: GripFilterContext) -> FilteredContent {
        guard let content, filters.contains(where: \.rewritesContent) else {
            if GripFilterStack.sends(filters, context) { return .shared }
            stats.deliveriesFiltered += 1
            return .skip
        }
        switch GripFilterStack.apply(filters, to: content, context) {
        case .send(let bytes):
            return .own(bytes)
        case .drop:
            stats.deliveriesFiltered += 1
            return .skip
        case .failed(let error):
            logger.debug("GRIP filter skipped an item: \(error)")
            stats.filterErrors += 1
            return .skip
        }
    }

    private func isSlow(_ client: ClientConnection) -> Bool {
        client.socket.sendQueue.byteCount > configuration.heldQueueBytesMax
            || client.socket.sendQueue.segmentCount > configuration.heldQueueSegmentsMax
    }
}

/// `body-patch` results for one delivery, by held body: long-polls usually share their
/// timeout body, so the patch runs once per distinct body, not once per hold.
struct PatchedBodies {
    private var known: [(body: [UInt8], result: Result<[UInt8], JSONPatch.Failure>)] = []

    mutating func body(for held: [UInt8], _ patch: [JSONValue]) -> Result<[UInt8], JSONPatch.Failure> {
        if let entry = known.first(where: { $0.body == held }) { return entry.result }
        let result = JSONPatch.patchedBody(held, patch)
        if known.count < 8 { known.append((held, result)) }
        return result
    }
}
