import Glibc
import Hub
import IOUring
import Wire

/// The control port's HTTP side. Connections are kept open and pipelined requests answered in
/// order (Pushpin closes after every answer; GRIP libraries pool connections). A connection
/// closes on `Connection: close` or HTTP/1.0 without keep-alive, on input that leaves the stream
/// unreadable (answered with an error first), after `idleTimeoutNanos` without a byte either way,
/// and on shutdown once it has nothing in progress.
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
        let connection = ControlConnection(
            slot: slot, fd: fd, generation: nextGeneration, maxHeadBytes: configuration.maxHeadersSize, now: now)
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
            switch connection.phase {
            case .closingAfterResponse, .lingering: break  // after the last request: read and dropped
            default:
                if !connection.closing {
                    connection.inbound.append(contentsOf: buffers.bytes(id, count: Int(completion.result)))
                    connection.lastActivity = now
                }
            }
            buffers.recycle(id)
            advance(connection)
        } else if completion.result == 0 {
            connection.readClosed = true
            advance(connection)
        } else if completion.result != -ENOBUFS && completion.result != -ECANCELED {
            closeConnection(connection)
        }
        if connection.closing {
            finishClose(connection)
        } else if !connection.recvArmed && !connection.readClosed && !connection.readPaused {
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
            connection.lastActivity = now
        }
        if connection.closing {
            finishClose(connection)
            return
        }
        if connection.sentCount < connection.sending.count {
            sendRest(connection)
        } else {
            advance(connection)
        }
    }

    /// Answers every complete request that may be answered now, sends what is queued, and
    /// closes or stops reading as the connection's state asks.
    private func advance(_ connection: ControlConnection) {
        process(connection)
        flush(connection)
        guard !connection.closing else { return }
        let blocked: Bool
        switch connection.phase {
        case .lingering:
            return
        case .closingAfterResponse:
            guard connection.outboundBacklog == 0 else { return }
            if connection.readClosed {
                closeConnection(connection)
            } else {
                shutdown(connection.fd, Int32(SHUT_WR))
                connection.phase = .lingering(deadline: now + 2_000_000_000)
                connection.inbound = []
                connection.consumed = 0
            }
            return
        case .waitingForStats:
            blocked = true
        case .readingHead, .readingBody:
            blocked = connection.outboundBacklog >= ControlConnection.backlogLimit
            // A half-closed peer's last request is incomplete: nothing more can come.
            if connection.readClosed && !blocked && connection.outboundBacklog == 0 {
                closeConnection(connection)
                return
            }
        }
        if blocked && connection.unread >= ControlConnection.backlogLimit && !connection.readPaused {
            connection.readPaused = true
            guard connection.recvArmed else { return }
            ring.prepareCancel(
                target: UserData(op: ControlOperation.recv.rawValue, generation: connection.generation, slot: connection.slot),
                userData: UserData(op: ControlOperation.housekeeping.rawValue, generation: 0, slot: 0))
        } else if !blocked && connection.readPaused {
            connection.readPaused = false
            if !connection.recvArmed && !connection.readClosed { armRecv(connection) }
        }
    }

    /// Parses the requests received so far and answers them in order; stops at one that is
    /// incomplete, at a statistics query (answered later), or when responses pile up unread.
    private func process(_ connection: ControlConnection) {
        defer { connection.compact() }
        while !connection.closing {
            switch connection.phase {
            case .readingHead:
                guard connection.unread > 0, connection.outboundBacklog < ControlConnection.backlogLimit else { return }
                let start = connection.consumed
                let result = connection.inbound.withUnsafeBytes {
                    connection.parser.parse(UnsafeRawBufferPointer(rebasing: $0[start...]))
                }
                switch result {
                case .incomplete:
                    if connection.unread > configuration.maxHeadersSize {
                        reject(connection, status: 400, body: "Request header too large.\n")
                    }
                    return
                case .failure(let error):
                    let tooLarge = error == .headTooLarge || error == .requestLineTooLong
                    reject(connection, status: 400, body: tooLarge ? "Request header too large.\n" : "Failed to parse request header.\n")
                    return
                case .complete(let head, let consumed):
                    connection.consumed += consumed
                    connection.parser.reset()
                    connection.request = (head.version, head.keepAlive, head.method == "HEAD")
                    startBody(connection, head)
                }
            case .readingBody(let head, let expected):
                guard connection.unread >= expected else { return }
                let start = connection.consumed
                connection.consumed += expected
                connection.phase = .readingHead
                // A view of the received bytes, not a copy: `compact` runs only after the answer.
                dispatch(connection, head, body: connection.inbound[start..<start + expected])
            case .waitingForStats, .closingAfterResponse, .lingering:
                return
            }
        }
    }

    private func startBody(_ connection: ControlConnection, _ head: HTTPRequestHead) {
        let framing: BodyFraming
        do {
            framing = try head.bodyFraming()
        } catch {
            reject(connection, status: 400, body: "Failed to parse request header.\n")
            return
        }
        let sendsBody = head.method == "POST" || head.method == "PUT"
        switch framing {
        // `Content-Length: 0` frames an empty body (`POST /recover/`); only its absence is a 411.
        case .none where sendsBody && !head.headers.contains("Content-Length"), .untilClose where sendsBody, .chunked:
            reject(connection, status: 411, body: "Request requires Content-Length.\n")
        case .none, .untilClose:
            dispatch(connection, head, body: [][...])
        case .contentLength(let length):
            guard length <= configuration.maxBodySize else {
                reject(connection, status: 400, body: "Request body too large.\n")
                return
            }
            if head.expectsContinue && connection.unread == 0 {
                connection.queued += Self.continueResponse
            }
            connection.phase = .readingBody(head, expected: length)
        }
    }

    /// Answers a complete request.
    private func dispatch(_ connection: ControlConnection, _ head: HTTPRequestHead, body: ArraySlice<UInt8>) {
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
            advance(connection)  // requests pipelined behind this one
        }
    }

    // MARK: responses and closing

    static let continueResponse = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Answers input that leaves the stream unreadable, and closes after the answer.
    private func reject(_ connection: ControlConnection, status: Int, body: String) {
        controlStats.badRequests += 1
        connection.request.keepAlive = false
        respond(connection, status: status, body: body)
    }

    /// Queues the answer to the current request; the connection goes on to the next request
    /// unless this one asked to close.
    func respond(
        _ connection: ControlConnection, status: Int, body: String, contentType: String = "text/plain",
        extra: [(String, String)] = []
    ) {
        let keepAlive = connection.request.keepAlive && !shuttingDown
        var headers = HTTPHeaders()
        headers.add("Content-Type", contentType)
        if keepAlive && connection.request.version == .http10 { headers.add("Connection", "keep-alive") }
        for (name, value) in extra { headers.add(name, value) }
        connection.queued += HTTPWriter.simpleResponse(
            status: status, reason: HTTPWriter.standardReason(for: status), body: body, close: !keepAlive,
            extraHeaders: headers, headOnly: connection.request.headOnly)
        connection.phase = keepAlive ? .readingHead : .closingAfterResponse
    }

    /// Queues a prepared answer that keeps the connection open.
    func respond(_ connection: ControlConnection, encoded: [UInt8]) {
        connection.queued += encoded
        connection.phase = .readingHead
    }

    /// Hands the queued responses to the kernel unless a send is still in flight.
    private func flush(_ connection: ControlConnection) {
        guard !connection.sendInFlight, !connection.closing, !connection.queued.isEmpty else { return }
        swap(&connection.sending, &connection.queued)
        connection.queued.removeAll(keepingCapacity: true)
        connection.sentCount = 0
        sendRest(connection)
    }

    private func sendRest(_ connection: ControlConnection) {
        guard !connection.sendInFlight else { return }
        let remaining = connection.sending.count - connection.sentCount
        guard remaining > 0 else { return }
        let base = connection.sending.withUnsafeBytes { $0.baseAddress! } + connection.sentCount
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

    /// Closes lingering connections whose peer never sent EOF, connections without a byte
    /// either way for the idle timeout, and on shutdown those with no request in progress.
    /// Called every loop turn; looks at the connections every 100 ms.
    func expireConnections() {
        guard now >= nextConnectionCheck else { return }
        nextConnectionCheck = now + 100_000_000
        let idleTimeout = configuration.idleTimeoutNanos
        for case let connection? in connections where !connection.closing {
            switch connection.phase {
            case .lingering(let deadline):
                if now >= deadline { closeConnection(connection) }
            case .waitingForStats, .closingAfterResponse:
                break
            case .readingHead where shuttingDown && connection.unread == 0 && connection.outboundBacklog == 0:
                closeConnection(connection)
            case .readingHead, .readingBody:
                if idleTimeout > 0 && now - connection.lastActivity >= idleTimeout && !connection.sendInFlight {
                    closeConnection(connection)
                }
            }
        }
    }
}
