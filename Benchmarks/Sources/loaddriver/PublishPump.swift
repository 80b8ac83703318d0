import Glibc
import IOUring
import LoadDriverCore

/// Publishes the schedule through a few control-API connections, at a rate or flat out.
/// Lives on worker 0 and shares its ring; payloads are stamped when a request is built.
final class PublishPump {
    let plan: FanoutPlan
    let ring: Ring
    let address: UnsafeMutablePointer<sockaddr_storage>
    let addressLength: socklen_t
    let schedule: PublishSchedule
    let connections: [PublisherConnection]

    var nextItem = 0
    var startNanos: UInt64 = 0
    var publishedItems = 0
    var failedItems = 0
    var requests = 0
    var errors = 0
    var firstPublishNanos: UInt64 = 0
    var lastAnswerNanos: UInt64 = 0
    private(set) var done = false
    /// Failure reasons, merged into the worker's tally at the end.
    var reasons: [String: Int] = [:]
    /// A connect that fails waits this long before the next try.
    static let retryNanos: UInt64 = 100_000_000

    init(plan: FanoutPlan, ring: Ring, address: UnsafeMutablePointer<sockaddr_storage>, length: socklen_t) {
        self.plan = plan
        self.ring = ring
        self.address = address
        addressLength = length
        schedule = PublishSchedule(channels: plan.channels, messages: plan.messages)
        connections = (0..<plan.publishers).map { PublisherConnection(slot: $0) }
    }

    /// Items that should have been handed to a request by `now`.
    private func dueItems(now: UInt64) -> Int {
        guard let rate = plan.rate else { return schedule.count }
        let elapsed = Double(now - startNanos) / 1e9
        return min(schedule.count, Int(elapsed * rate) + 1)
    }

    /// Opens connections and starts requests that are due. Returns nanoseconds until the
    /// next item falls due (rate mode) or the next connect retry, when that is what waits.
    func pump(now: UInt64) -> Int64? {
        if startNanos == 0 { startNanos = now }
        var wait: Int64?
        for connection in connections {
            switch connection.state {
            case .closed(let retryAt):
                guard nextItem < schedule.count else { continue }
                if now >= retryAt {
                    open(connection)
                } else {
                    wait = min(wait ?? .max, Int64(retryAt - now))
                }
            case .ready:
                if let next = startRequest(on: connection, now: now) { wait = min(wait ?? .max, next) }
            case .connecting, .sending, .awaitingAnswer:
                break
            }
        }
        done = nextItem == schedule.count && connections.allSatisfy {
            if case .sending = $0.state { return false }
            if case .awaitingAnswer = $0.state { return false }
            return true
        }
        return wait
    }

    private func tag(_ operation: DriverOperation, _ connection: PublisherConnection) -> UserData {
        UserData(op: operation.rawValue, generation: connection.generation, slot: UInt32(connection.slot))
    }

    private func open(_ connection: PublisherConnection) {
        connection.generation = (connection.generation + 1) & UserData.generationMask
        do {
            connection.fd = try ClientSocket.make(for: plan.controlTarget, source: nil, noDelay: true)
        } catch {
            fail(connection, "publisher \(error.operation): \(ClientSocket.errorName(error.errno))")
            return
        }
        connection.state = .connecting
        _ = address.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            ring.prepareConnect(fd: connection.fd, address: $0, length: addressLength, userData: tag(.publisherConnect, connection))
        }
    }

    /// Builds and sends the next request if items are due; else the wait until one is.
    private func startRequest(on connection: PublisherConnection, now: UInt64) -> Int64? {
        let due = dueItems(now: now)
        guard nextItem < due else {
            guard nextItem < schedule.count, let rate = plan.rate else { return nil }
            let dueAt = startNanos + UInt64(Double(nextItem) / rate * 1e9)
            return dueAt > now ? Int64(dueAt - now) : 0
        }
        let end = min(due, nextItem + plan.batch)
        let items = (nextItem..<end).map { schedule.item(at: $0) }
        let stampNanos = MonotonicClock.now()
        if firstPublishNanos == 0 { firstPublishNanos = stampNanos }
        connection.load(plan.publishBuilder.request(items: items, nowNanos: stampNanos), items: items.count)
        nextItem = end
        connection.state = .sending
        send(connection)
        return nil
    }

    private func send(_ connection: PublisherConnection) {
        let bytes = connection.unsentBytes
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        ring.prepareSend(fd: connection.fd, bytes: base, count: bytes.count, userData: tag(.publisherSend, connection))
    }

    private func receive(_ connection: PublisherConnection) {
        let buffer = connection.receiveBuffer
        guard let base = buffer.baseAddress else { return }
        ring.prepareRecv(fd: connection.fd, into: base, count: buffer.count, userData: tag(.publisherReceive, connection))
    }

    func handle(_ operation: DriverOperation, _ completion: Completion) {
        let slot = Int(completion.userData.slot)
        guard slot < connections.count else { return }
        let connection = connections[slot]
        guard completion.userData.generation == connection.generation else { return }  // an old socket's
        let result = completion.result
        switch operation {
        case .publisherConnect:
            guard result >= 0 else {
                fail(connection, "publisher connect: \(ClientSocket.errorName(-result))")
                return
            }
            connection.state = .ready
            _ = startRequest(on: connection, now: MonotonicClock.now())
        case .publisherSend:
            guard result > 0 else {
                fail(connection, "publisher send: \(ClientSocket.errorName(-result))")
                return
            }
            connection.sent += Int(result)
            if connection.unsentBytes.isEmpty {
                connection.state = .awaitingAnswer
                receive(connection)
            } else {
                send(connection)
            }
        case .publisherReceive:
            let progress: PublisherConnection.AnswerProgress
            if result > 0 {
                progress = connection.consume(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(connection.receiveBuffer)[0..<Int(result)]))
            } else if result == 0 {
                progress = connection.consumeEOF()
            } else {
                fail(connection, "publisher receive: \(ClientSocket.errorName(-result))")
                return
            }
            answered(connection, progress)
        default:
            break
        }
    }

    private func answered(_ connection: PublisherConnection, _ progress: PublisherConnection.AnswerProgress) {
        switch progress {
        case .incomplete:
            receive(connection)
        case .invalid(let reason):
            fail(connection, reason)
        case .complete(let status, let reusable):
            requests += 1
            lastAnswerNanos = MonotonicClock.now()
            if (200...299).contains(status) {  // Pushpin answers 200, Nchan 201 or 202
                publishedItems += connection.itemsInFlight
            } else {
                errors += 1
                failedItems += connection.itemsInFlight
                reasons["publish answered \(status)", default: 0] += 1
            }
            connection.itemsInFlight = 0
            if reusable {
                connection.state = .ready
                _ = startRequest(on: connection, now: lastAnswerNanos)
            } else {
                ClientSocket.abort(connection.fd)
                connection.fd = -1
                connection.state = .closed(retryAt: 0)
                if nextItem < schedule.count { open(connection) }
            }
        }
    }

    /// A broken connection: its request's items are lost (not retried), the socket replaced.
    private func fail(_ connection: PublisherConnection, _ reason: String) {
        errors += 1
        failedItems += connection.itemsInFlight
        connection.itemsInFlight = 0
        reasons[reason, default: 0] += 1
        ClientSocket.abort(connection.fd)
        connection.fd = -1
        connection.state = .closed(retryAt: MonotonicClock.now() + Self.retryNanos)
    }

    func publishStatus(to status: WorkerStatus) {
        status.publishedItems.store(publishedItems, ordering: .relaxed)
        status.failedItems.store(failedItems, ordering: .relaxed)
        status.publishRequests.store(requests, ordering: .relaxed)
        status.publishErrors.store(errors, ordering: .relaxed)
        status.firstPublishNanos.store(firstPublishNanos, ordering: .relaxed)
        status.lastPublishAnswerNanos.store(lastAnswerNanos, ordering: .relaxed)
        status.publishDone.store(done, ordering: .releasing)
    }
}
