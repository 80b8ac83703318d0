import Hub
import Wire

/// GRIP reliable mode for held sessions: next-link fetches for streams (gaps, hints, idle
/// refresh, recovery), re-requests for long-polls whose channels moved on. The decisions are
/// `NextLinkRequester`'s and `ChannelPositions`'; this file carries them out.
extension ShardLoop {
    /// The recovery state for a hold the instructions set up: every long-poll (a hint or
    /// recovery requests it again), and streams with a next or gone link. Nil when the request
    /// cannot be repeated (the test handler, a request with a body).
    func makeRecovery(_ client: ClientConnection, _ instruction: GripInstruction, prefixedChannels: [String]) -> HoldRecovery? {
        let reliable = instruction.hold == .response || instruction.nextLink != nil || instruction.goneLink != nil || instruction.channels.contains { $0.prevID != nil }
        guard reliable, let request = client.exchange.forwardedRequest else { return nil }
        let positions = ChannelPositions(
            zip(prefixedChannels, instruction.channels).map { ChannelPositions.Entry(channel: $0, lastID: $1.prevID) })
        let recovery = HoldRecovery(
            request: request, signing: client.exchange.signing, candidates: client.exchange.candidates, channelPrefix: client.exchange.channelPrefix,
            positions: positions,
            requester: NextLinkRequester(
                retriesMax: configuration.nextLinkRetriesMax, retryBaseNanos: configuration.nextLinkRetryBaseNanos,
                retryJitterNanos: configuration.nextLinkRetryJitterNanos))
        recovery.goneLink = instruction.goneLink.map { NextLinkTarget.resolve($0, against: request.target) }
        setNextLink(recovery, instruction.nextLink, base: request.target)
        recovery.refreshedNanos = now
        return recovery
    }

    private func setNextLink(_ recovery: HoldRecovery, _ link: GripLink?, base: String) {
        recovery.nextLink = link.map { NextLinkTarget.resolve($0.uri, against: base) }
        let seconds = Int64(max(link?.timeoutSeconds ?? 120, 1))
        recovery.idleRefreshes = IdleRefreshGrid(timeoutNanos: seconds * 1_000_000_000, link: recovery.nextLink ?? "")
    }

    /// A hold just started: fetch at once when the channels already moved past the
    /// session's prev-ids (a publish this shard saw), else wait for the idle refresh.
    func startRecovery(_ client: ClientConnection, _ recovery: HoldRecovery) {
        if recovery.paging || isBehind(client, recovery) {
            bringUpToDate(client)
        } else {
            armRecoveryTimer(client, recovery)
        }
    }

    /// A channel's last id, as this shard knows it, differs from the session's.
    private func isBehind(_ client: ClientConnection, _ recovery: HoldRecovery) -> Bool {
        recovery.positions.entries.contains { entry in
            guard let known = entry.lastID, let latest = subscriptionTable.subscribers(of: entry.channel)?.lastID else { return false }
            return known != latest
        }
    }

    /// Streams fetch their next link; long-polls are requested again.
    func bringUpToDate(_ client: ClientConnection) {
        guard client.socket.isLive, let recovery = client.recovery else { return }
        switch client.hold?.mode {
        case .stream?:
            guard recovery.nextLink != nil else { return }
            if recovery.leader != nil {
                recovery.requester.requestLater()  // after the shared answer, which may predate what asked
                return
            }
            guard recovery.requester.request() else { return }
            startFetch(client, recovery)
        case .response?:
            reRequest(client, recovery)
        case nil:
            break
        }
    }

    // MARK: stream: next link

    private func startFetch(_ client: ClientConnection, _ recovery: HoldRecovery) {
        guard let link = recovery.nextLink else { return }
        let head = HTTPRequestHead(method: "GET", target: link, version: .http11, headers: repeatedHeaders(recovery))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(512)
        HTTPWriter.appendRequestHead(head, to: &bytes)
        recovery.requester.begin(
            ProxyExchange(
                method: "GET", clientVersion: .http11, clientKeepAlive: true, handling: .collect(limit: configuration.nextLinkBodyMax),
                requestBody: .none, forwardedHead: bytes, candidateCount: recovery.candidates.count))
        stats.nextLinkFetches += 1
        scheduleRecovery(client, recovery, afterNanos: configuration.backendTimeoutNanos)
        startExchange(client, .nextLink)
    }

    /// The original request's headers for a repeat: a fresh Grip-Sig and the session's
    /// `Grip-Last` positions, no body framing.
    private func repeatedHeaders(_ recovery: HoldRecovery) -> HTTPHeaders {
        var headers = recovery.request.headers
        for name in ["Grip-Sig", "Grip-Last", "Content-Length", "Transfer-Encoding"] { headers.remove(name) }
        if let signing = recovery.signing { headers.add("Grip-Sig", gripSigner.token(issuer: signing.issuer, key: signing.key)) }
        for value in recovery.positions.gripLastValues(removingPrefix: recovery.channelPrefix) { headers.add("Grip-Last", value) }
        return headers
    }

    /// The next link answered: its body goes to the stream, its instructions replace the
    /// session's (or, with no hold and a next link, paging goes on; with neither, the stream ends).
    func nextLinkAnswered(_ client: ClientConnection, _ head: HTTPResponseHead, _ body: [UInt8]) {
        guard let recovery = client.recovery, client.hold?.mode == .stream else { return }
        let outcome = recovery.requester.answered(status: head.status, nowNanos: now, random: &random)
        guard case .apply = outcome else {
            releaseFollowers(recovery, of: client.handle)
            switch outcome {
            case .retry(let deadline): retryLater(client, recovery, deadline)
            case .giveUp, .apply: giveUp(client)
            }
            return
        }
        let instruction: GripInstruction
        switch GripInstructionParser.parse(head: head, body: body, subscriptionMax: configuration.subscriptionsPerConnectionMax) {
        case .success(let parsed) where parsed.hold != .response && parsed.streamPrevIDWithoutNextLink == nil:
            instruction = parsed
        case .success, .failure:
            logger.warning("invalid GRIP instructions from a next link: the stream ends")
            stats.backendInvalidResponses += 1
            releaseFollowers(recovery, of: client.handle)
            return giveUp(client)
        }
        let followers = recovery.followers
        recovery.followers = []
        apply(instruction, to: client, recovery)
        for handle in followers {
            guard let follower = clients.live(handle), let shared = follower.recovery, shared.leader == client.handle else { continue }
            shared.leader = nil
            apply(instruction, to: follower, shared)
        }
    }

    /// A next link's answer for this session: its body goes to the stream, its instructions
    /// replace the session's.
    private func apply(_ instruction: GripInstruction, to client: ClientConnection, _ recovery: HoldRecovery) {
        if !instruction.response.body.isEmpty, let chunked = client.hold?.chunked {
            client.socket.sendQueue.append(frame(instruction.response.body, chunked: chunked), pool: chunkPool)
            client.hold?.lastSendNanos = now
            queueClientFlush(client)
        }
        let base = recovery.nextLink ?? recovery.request.target
        guard instruction.hold == .stream || instruction.nextLink != nil else {
            recovery.requester.cancel()
            closeStream(client)
            return
        }
        let channels = instruction.channels.map { recovery.channelPrefix + $0.name }
        // The new filters replace the old; a channel whose filtered-ness changes subscribes anew.
        let filters = SessionFilters.of(instruction, prefix: recovery.channelPrefix)
        for subscription in client.subscriptions
        where !channels.contains(subscription.channel.name) || subscription.filtered != (filters?.isFiltered(subscription.channel.name) ?? false) {
            unsubscribe(client, from: subscription.channel.name)
        }
        client.filters = filters
        for channel in channels { subscribe(client, to: channel, filtered: filters?.isFiltered(channel) ?? false) }
        recovery.positions = ChannelPositions(
            zip(channels, instruction.channels).map { ChannelPositions.Entry(channel: $0, lastID: $1.prevID) })
        setNextLink(recovery, instruction.nextLink, base: base)
        recovery.paging = instruction.hold == nil
        recovery.refreshedNanos = now
        if recovery.paging || recovery.requester.takeWanted() || isBehind(client, recovery) {
            _ = recovery.requester.request()
            startFetch(client, recovery)
        } else {
            armRecoveryTimer(client, recovery)
        }
    }

    /// The fetch failed before any of its response reached the client.
    func nextLinkFailed(_ client: ClientConnection, _ error: ProxyError) {
        guard let recovery = client.recovery else { return }
        releaseFollowers(recovery, of: client.handle)
        switch recovery.requester.failed(nowNanos: now, random: &random) {
        case .retry(let deadline): retryLater(client, recovery, deadline)
        case .giveUp: giveUp(client)
        case .apply: preconditionFailure("a failed fetch applies nothing")
        }
    }

    private func retryLater(_ client: ClientConnection, _ recovery: HoldRecovery, _ deadline: Int64) {
        stats.nextLinkRetries += 1
        scheduleRecovery(client, recovery, afterNanos: max(deadline - now, timers.tickNanos))
    }

    private func giveUp(_ client: ClientConnection) {
        stats.nextLinkFailures += 1
        client.recovery?.requester.cancel()
        closeStream(client)
    }

    // MARK: long-poll: request again

    /// The hold ends without an answer and its request goes to the backend again, as new,
    /// with `Grip-Last`: the backend answers with what was missed or holds again.
    private func reRequest(_ client: ClientConnection, _ recovery: HoldRecovery) {
        guard let hold = client.hold, hold.mode == .response else { return }
        endHold(client)
        client.recovery = nil
        stats.longPollReRequests += 1
        var head = recovery.request
        head.headers = repeatedHeaders(recovery)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(512)
        HTTPWriter.appendRequestHead(head, to: &bytes)
        client.exchange.forwardedRequest = recovery.request
        client.exchange.signing = recovery.signing
        client.exchange.candidates = recovery.candidates
        client.exchange.channelPrefix = recovery.channelPrefix
        client.exchange.proxy = ProxyExchange(
            method: head.method, clientVersion: hold.version, clientKeepAlive: hold.keepAlive,
            handling: .relay(gripBodyMax: configuration.gripInstructBodyMax), requestBody: .none, forwardedHead: bytes,
            candidateCount: recovery.candidates.count)
        startExchange(client, .request)
    }

    // MARK: timer

    /// The session's one timer: the fetch deadline while one runs, the retry while backing
    /// off, else the idle refresh (streams with a next link).
    private func armRecoveryTimer(_ client: ClientConnection, _ recovery: HoldRecovery) {
        guard client.hold?.mode == .stream, recovery.nextLink != nil, case .idle = recovery.requester.state,
            let due = idleDue(client, recovery)
        else { return }
        scheduleRecovery(client, recovery, afterNanos: max(due - now, timers.tickNanos))
    }

    /// When the quietest of the session's channels will have been idle for the link's timeout.
    private func idleDue(_ client: ClientConnection, _ recovery: HoldRecovery) -> Int64? {
        var quietest = Int64.max
        for subscription in client.subscriptions {
            quietest = min(quietest, max(subscription.channel.lastPublishNanos, recovery.refreshedNanos))
        }
        guard quietest != Int64.max else { return nil }
        return recovery.idleRefreshes.due(idleSince: quietest)
    }

    private func scheduleRecovery(_ client: ClientConnection, _ recovery: HoldRecovery, afterNanos: Int64) {
        recovery.timerToken &+= 1
        timers.schedule(
            kind: TimerKind.recovery.rawValue, slot: client.slot, generation: client.socket.generation, token: recovery.timerToken,
            deadlineNanos: now + afterNanos)
    }

    func recoveryTimerFired(_ entry: TimerWheel.Entry) {
        guard let client = clients.live(entry.handle), let recovery = client.recovery, recovery.timerToken == entry.token
        else { return }
        switch recovery.requester.state {
        case .requesting(let exchange):
            guard !exchange.isDone, exchange.awaitingResponse || exchange.readingBody else { return }
            perform(step(client, .nextLink) { $0.handle(.timedOut) }, client, .nextLink)
        case .backingOff:
            if recovery.requester.retryDue(nowNanos: now) { startFetch(client, recovery) }
        case .idle:
            guard let due = idleDue(client, recovery) else { return }
            if due <= now {
                stats.nextLinkIdleRefreshes += 1
                catchUpLater(client)
            } else {
                armRecoveryTimer(client, recovery)
            }
        }
    }

    // MARK: commands

    /// `recover`: every session with something to recover from gets up to date; the last
    /// ids this shard knew are forgotten (the control thread forgot its own).
    func recoverAll() {
        for entry in subscriptionTable.channels.values { entry.lastID = nil }
        for client in clients where client.socket.isLive && client.phase == .held && client.recovery != nil {
            catchUpLater(client)
        }
    }

    /// The control thread's last id of `channel`: sessions there that are elsewhere catch up.
    func lastIDArrived(channel: String, id: String) {
        guard let subscribers = subscriptionTable.subscribers(of: channel) else { return }
        subscribers.lastID = id
        var behind: [ConnectionHandle] = []
        for slot in subscribers.members {
            let client = clients[Int(slot)]
            guard let known = client.recovery?.positions.lastID(of: channel), known != id else { continue }
            behind.append(client.handle)
        }
        for handle in behind {
            if let client = clients.live(handle) { catchUpLater(client) }
        }
    }

    // MARK: paced updates

    /// Queues a low-priority catch-up (idle refresh, conflict, recovery, first subscription)
    /// for the limiter.
    func catchUpLater(_ client: ClientConnection) {
        guard client.recovery != nil else { return }
        if sessionUpdates.limiter.add(client.handle) { armSessionUpdates() }
    }

    /// `update_on_first_subscription`: the channel's sessions catch up a little later, in
    /// case something was published between the backend's answer and the subscription.
    func catchUpLater(firstSubscriberOf channel: String) {
        sessionUpdates.firstSubscriptions.append((now + configuration.firstSubscriptionDelayNanos, channel))
        armSessionUpdates()
    }

    private func armSessionUpdates() {
        var due = sessionUpdates.limiter.dueNanos(nowNanos: now) ?? .max
        if let first = sessionUpdates.firstSubscriptions.first { due = min(due, first.dueNanos) }
        guard due != .max else { return }
        if let armed = sessionUpdates.timerDueNanos, armed <= due { return }
        sessionUpdates.timerToken &+= 1
        sessionUpdates.timerDueNanos = due
        timers.schedule(
            kind: TimerKind.sessionUpdates.rawValue, slot: 0, generation: 0, token: sessionUpdates.timerToken,
            deadlineNanos: max(due, now + timers.tickNanos))
    }

    func sessionUpdatesDue(_ entry: TimerWheel.Entry) {
        guard entry.token == sessionUpdates.timerToken else { return }
        sessionUpdates.timerDueNanos = nil
        while let first = sessionUpdates.firstSubscriptions.first, first.dueNanos <= now {
            sessionUpdates.firstSubscriptions.removeFirst()
            guard let subscribers = subscriptionTable.subscribers(of: first.channel) else { continue }
            for slot in subscribers.members {
                let client = clients[Int(slot)]
                guard let recovery = client.recovery else { continue }
                // Streams that can fetch; long-polls that know where they are on the channel.
                let canCatchUp = client.hold?.mode == .stream ? recovery.nextLink != nil : recovery.positions.lastID(of: first.channel) != nil
                if canCatchUp { sessionUpdates.limiter.add(client.handle) }
            }
        }
        runUpdates(sessionUpdates.limiter.take(nowNanos: now))
        armSessionUpdates()
    }

    /// One action of the limiter: streams asking for the same link with the same `Grip-Last`
    /// share one fetch; long-polls are requested again.
    private func runUpdates(_ batch: [ConnectionHandle]) {
        var leaders: [String: ConnectionHandle] = [:]
        for handle in batch {
            guard let client = clients.live(handle), client.phase == .held, let recovery = client.recovery else { continue }
            guard client.hold?.mode == .stream, let key = recovery.sharedFetchKey else {
                bringUpToDate(client)
                continue
            }
            if let leaderHandle = leaders[key], let leader = clients.live(leaderHandle)?.recovery, leader.requester.inFlight,
                recovery.leader == nil, recovery.requester.request()
            {
                recovery.leader = leaderHandle
                leader.followers.append(handle)
                stats.nextLinkSharedFetches += 1
                continue
            }
            bringUpToDate(client)
            if recovery.requester.inFlight { leaders[key] = handle }
        }
    }

    /// The fetch these sessions waited for failed or its session ended: they catch up on
    /// their own, paced.
    func releaseFollowers(_ recovery: HoldRecovery, of leader: ConnectionHandle) {
        let followers = recovery.followers
        recovery.followers = []
        for handle in followers {
            guard let follower = clients.live(handle), let shared = follower.recovery, shared.leader == leader else { continue }
            shared.leader = nil
            catchUpLater(follower)
        }
    }
}
