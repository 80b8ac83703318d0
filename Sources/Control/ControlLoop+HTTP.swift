import Glibc
import Hub
import IOUring
import Wire

/// The control port's HTTP side: one request per connection, answered and closed.
extension ControlLoop {
    static let connectionsMax = 128

    func armAccept() {
        guard !acceptArmed, listener >= 0 else { return }
        ring.prepareMultishotAccept(fd: listener, userData: UserData(op: ControlOperation.accept.rawValue, generation: 0, slot: 0))
        acceptArmed = true
    }

    func acceptCompleted(_ completion: Completion) {
        if !completion.hasMore { acceptArmed = false }
        defer { if !acceptArmed && !finished { armAccept() } }
        let fd = completion.result
        guard fd >= 0 else { return }
        guard connections.count - freeSlots.count < Self.connectionsMax else {
            close(fd)  // Pushpin's control server caps concurrent connections the same way
            return
        }
        let slot: UInt32
        if let free = freeSlots.popLast() {
            slot = free
        } else {
            slot = UInt32(connections.count)
            connections.append(nil)
        }
        nextGeneration = (nextGeneration &+ 1) & UserData.generationMask
        let connection = ControlConnection(slot: slot, fd: fd, generation: nextGeneration, maxHeadBytes: configuration.maxHeadersSize)
        connections[Int(slot)] = connection
        armRecv(connection)
    }

    private func armRecv(_ connection: ControlConnection) {
        guard !connection.recvArmed, !connection.closing else { return }
        ring.prepareMultishotRecv(
            fd: connection.fd, bufferGroup: buffers.groupID,
            userData: UserData(op: ControlOperation.recv.rawValue, generation: connection.generation, slot: connection.slot))
        connection.recvArmed = true
    }

    private func connection(for completion: Completion) -> ControlConnection? {
        let slot = Int(completion.userData.slot)
        guard slot < connections.count, let connection = connections[slot],
            connection.generation == completion.userData.generation
        else { return nil }
        return connection
    }

    func received(_ completion: Completion) {
        guard let connection = connection(for: completion) else {
            if let id = completion.bufferID { buffers.recycle(id) }
            return
        }
        if !completion.hasMore { connection.recvArmed = false }
        if completion.result > 0, let id = completion.bufferID {
            if !connection.closing {
                connection.inbound.append(contentsOf: buffers.bytes(id, count: Int(completion.result)))
                process(connection)
            }
            buffers.recycle(id)
        } else if completion.result == 0 {
            connection.readClosed = true
            switch connection.phase {
            case .responding, .waitingForStats: break  // still answer a half-closed request
            default: closeConnection(connection)
            }
        } else if completion.result != -ENOBUFS && completion.result != -ECANCELED {
            closeConnection(connection)
        }
        if connection.closing {
            finishClose(connection)
        } else if !connection.recvArmed && !connection.readClosed {
            armRecv(connection)
        }
    }

    func sent(_ completion: Completion) {
        guard let connection = connection(for: completion) else { return }
        connection.sendInFlight = false
        if completion.result < 0 {
            closeConnection(connection)
        } else {
            connection.sentCount += Int(completion.result)
        }
        if connection.closing {
            finishClose(connection)
            return
        }
        if connection.sentCount < connection.response.count {
            sendRest(connection)
        } else if connection.readClosed {
            closeConnection(connection)
        } else {
            shutdown(connection.fd, Int32(SHUT_WR))
            connection.phase = .lingering(deadline: now + 2_000_000_000)
            connection.inbound = []
        }
    }

    /// Parses the request as it arrives and answers it once complete.
    private func process(_ connection: ControlConnection) {
        switch connection.phase {
        case .readingHead:
            let result = connection.inbound.withUnsafeBytes { connection.parser.parse($0) }
            switch result {
            case .incomplete:
                if connection.inbound.count > configuration.maxHeadersSize {
                    respond(connection, status: 400, body: "Request header too large.\n")
                }
            case .failure(let error):
                respond(connection, status: 400, body: error == .headTooLarge || error == .requestLineTooLong ? "Request header too large.\n" : "Failed to parse request header.\n")
            case .complete(let head, let consumed):
                connection.inbound.removeFirst(consumed)
                startBody(connection, head)
            }
        case .readingBody(let head, let expected):
            if connection.inbound.count >= expected { dispatch(connection, head, body: Array(connection.inbound.prefix(expected))) }
        case .lingering, .responding, .waitingForStats:
            connection.inbound = []
        }
    }

    private func startBody(_ connection: ControlConnection, _ head: HTTPRequestHead) {
        let framing: BodyFraming
        do {
            framing = try head.bodyFraming()
        } catch {
            respond(connection, status: 400, body: "Failed to parse request header.\n")
            return
        }
        let sendsBody = head.method == "POST" || head.method == "PUT"
        switch framing {
        // `Content-Length: 0` frames an empty body (`POST /recover/`); only its absence is a 411.
        case .none where sendsBody && !head.headers.contains("Content-Length"), .untilClose where sendsBody, .chunked:
            respond(connection, status: 411, body: "Request requires Content-Length.\n")
        case .none, .untilClose:
            dispatch(connection, head, body: [])
        case .contentLength(let length):
            guard length <= configuration.maxBodySize else {
                respond(connection, status: 400, body: "Request body too large.\n")
                return
            }
            if head.expectsContinue && connection.inbound.isEmpty {
                queueContinue(connection)
            }
            connection.phase = .readingBody(head, expected: length)
            process(connection)
        }
    }

    /// Answers a complete request.
    private func dispatch(_ connection: ControlConnection, _ head: HTTPRequestHead, body: [UInt8]) {
        var path = head.path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        switch path {
        case "/":
            respond(connection, status: 200, body: "pushpind control API\n")
        case "/publish":
            handlePublish(connection, head, body: body)
        case "/recover":
            handleRecover(connection, head)
        case "/metrics", "/status":
            guard head.method == "GET" || head.method == "HEAD" else {
                respond(connection, status: 405, body: "Method not allowed: \(head.method).\n", extra: [("Allow", "GET")])
                return
            }
            connection.phase = .waitingForStats(path == "/metrics" ? .metrics : .status)
            requestStats(for: connection)
        default:
            respond(connection, status: 404, body: "Not Found\n")
        }
    }

    // MARK: statistics

    /// Asks every shard for fresh counters; the connection is answered when they arrive.
    private func requestStats(for connection: ControlConnection) {
        if statsQuery == nil {
            statsSequence += 1
            statsQuery = StatsQuery(sequence: statsSequence, shards: broadcaster.links.count, deadline: now + 1_000_000_000)
            broadcaster.broadcast(.reportStats(sequence: statsSequence), ring: ring)
        }
        statsQuery?.waiters.append((connection.slot, connection.generation))
    }

    func checkStatsQuery() {
        guard let query = statsQuery, query.complete || now >= query.deadline else { return }
        statsQuery = nil
        let uptime = Int((now - startedAt) / 1_000_000_000)
        for waiter in query.waiters {
            guard Int(waiter.slot) < connections.count, let connection = connections[Int(waiter.slot)],
                connection.generation == waiter.generation, case .waitingForStats(let kind) = connection.phase
            else { continue }
            switch kind {
            case .metrics:
                respond(
                    connection, status: 200,
                    body: MetricsText.render(latestStats)
                        + MetricsText.render(control: controlStats, ringFullWaits: broadcaster.ringFullWaits, publishesDropped: broadcaster.publishesDropped, channels: interest.channelCount)
                        + MetricsText.render(sequencer: sequencer.counters, parkedNow: sequencer.parkedCount),
                    contentType: "text/plain; version=0.0.4; charset=utf-8")
            case .status:
                respond(
                    connection, status: 200,
                    body: StatusDocument.render(version: configuration.version, shards: latestStats, uptimeSeconds: uptime),
                    contentType: "application/json")
            }
        }
    }

    // MARK: responses and closing

    private func queueContinue(_ connection: ControlConnection) {
        // Sent with a plain call: a fresh socket's buffer always has room for 25 bytes.
        let bytes = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
        _ = bytes.withUnsafeBytes { send(connection.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL)) }
    }

    func respond(
        _ connection: ControlConnection, status: Int, body: String, contentType: String = "text/plain",
        extra: [(String, String)] = []
    ) {
        var headers = HTTPHeaders()
        headers.add("Content-Type", contentType)
        for (name, value) in extra { headers.add(name, value) }
        connection.response = HTTPWriter.simpleResponse(
            status: status, reason: HTTPWriter.standardReason(for: status), body: body, close: true, extraHeaders: headers)
        connection.sentCount = 0
        connection.phase = .responding
        sendRest(connection)
    }

    private func sendRest(_ connection: ControlConnection) {
        guard !connection.sendInFlight else { return }
        let remaining = connection.response.count - connection.sentCount
        guard remaining > 0 else { return }
        let base = connection.response.withUnsafeBytes { $0.baseAddress! } + connection.sentCount
        ring.prepareSend(
            fd: connection.fd, bytes: base, count: remaining,
            userData: UserData(op: ControlOperation.send.rawValue, generation: connection.generation, slot: connection.slot))
        connection.sendInFlight = true
    }

    func closeConnection(_ connection: ControlConnection) {
        guard !connection.closing else { return }
        connection.closing = true
        if !connection.quiet {
            ring.prepareCancelAll(
                fd: connection.fd, userData: UserData(op: ControlOperation.housekeeping.rawValue, generation: 0, slot: 0))
        }
        finishClose(connection)
    }

    private func finishClose(_ connection: ControlConnection) {
        guard connection.closing, connection.quiet, connections[Int(connection.slot)] === connection else { return }
        ring.prepareClose(fd: connection.fd, userData: UserData(op: ControlOperation.housekeeping.rawValue, generation: 0, slot: 0))
        connections[Int(connection.slot)] = nil
        freeSlots.append(connection.slot)
    }

    /// Lingering connections whose peer never sent EOF are closed after their deadline.
    func expireLingering() {
        for case let connection? in connections {
            if case .lingering(let deadline) = connection.phase, now >= deadline { closeConnection(connection) }
        }
    }
}
