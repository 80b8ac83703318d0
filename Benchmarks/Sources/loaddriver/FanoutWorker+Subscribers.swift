import Glibc
import IOUring
import LoadDriverCore

extension FanoutWorker {
    private func tag(_ operation: DriverOperation, _ local: Int) -> UserData {
        UserData(op: operation.rawValue, generation: 0, slot: UInt32(local))
    }

    /// Opens subscriber connections the schedule allows now, within the concurrency cap.
    /// Returns nanoseconds until the next one is due when the rate is what holds it back.
    func openSubscribers(now: UInt64) -> Int64? {
        let cap = max(1, plan.connectConcurrency / plan.threads)
        while nextToConnect < globalIndex.count, inFlight < cap {
            if let rate = plan.connectRate {
                let perWorker = rate / Double(plan.threads)
                let due = connectStartNanos + UInt64(Double(nextToConnect) / perWorker * 1e9)
                if due > now { return Int64(due - now) }
            }
            open(nextToConnect)
            nextToConnect += 1
        }
        return nil
    }

    private func open(_ local: Int) {
        let global = globalIndex[local]
        let source = plan.target.family == AF_INET ? sources[global % sources.count] : nil
        let fd: Int32
        do {
            fd = try ClientSocket.make(for: plan.target, source: source, noDelay: false)
        } catch {
            phases[local] = .failed
            failedCount += 1
            note("subscriber \(error.operation): \(ClientSocket.errorName(error.errno))")
            return
        }
        fds[local] = fd
        phases[local] = .connecting
        inFlight += 1
        _ = targetAddress.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            ring.prepareConnect(fd: fd, address: $0, length: plan.target.length, userData: tag(.subscriberConnect, local))
        }
    }

    func subscriberConnected(_ local: Int, result: Int32) {
        guard phases[local] == .connecting else { return }
        guard result >= 0 else {
            fail(local, "subscriber connect: \(ClientSocket.errorName(-result))")
            return
        }
        phases[local] = .requesting
        ring.prepareMultishotRecv(fd: fds[local], bufferGroup: Self.bufferGroup, userData: tag(.subscriberReceive, local))
        sendRequest(local)
    }

    private func sendRequest(_ local: Int) {
        let request = requestMemory[plan.channel(ofSubscriber: globalIndex[local])]
        let sent = Int(sentBytes[local])
        guard let base = request.baseAddress, sent < request.count else { return }
        ring.prepareSend(
            fd: fds[local], bytes: UnsafeRawPointer(base) + sent, count: request.count - sent, userData: tag(.subscriberSend, local))
    }

    func subscriberSent(_ local: Int, result: Int32) {
        guard phases[local] == .requesting || phases[local] == .subscribed else { return }
        guard result > 0 else {
            fail(local, "subscriber send: \(ClientSocket.errorName(-result))")
            return
        }
        sentBytes[local] += result
        if Int(sentBytes[local]) < requestMemory[plan.channel(ofSubscriber: globalIndex[local])].count {
            sendRequest(local)
        } else if plan.kind == .response, phases[local] == .requesting {
            // A long-poll counts as held once its request is out: no answer comes until a publish.
            markSubscribed(local)
        }
    }

    func subscriberReceived(_ local: Int, _ completion: Completion) {
        defer { if let id = completion.bufferID { buffers.recycle(id) } }
        guard phases[local] == .requesting || phases[local] == .subscribed else { return }
        let result = completion.result
        if result > 0, let id = completion.bufferID {
            readers[local].feed(buffers.bytes(id, count: Int(result))) { event in
                readerEvent(event, local)
            }
            let alive = phases[local] == .requesting || phases[local] == .subscribed
            if alive, !completion.hasMore {
                ring.prepareMultishotRecv(fd: fds[local], bufferGroup: Self.bufferGroup, userData: tag(.subscriberReceive, local))
            }
        } else if result == 0 {
            readers[local].finishAtEOF { event in readerEvent(event, local) }
        } else if result == -ENOBUFS {
            // Every provided buffer was in use; they are back by the next submit.
            ring.prepareMultishotRecv(fd: fds[local], bufferGroup: Self.bufferGroup, userData: tag(.subscriberReceive, local))
        } else {
            fail(local, "subscriber receive: \(ClientSocket.errorName(-result))")
        }
    }

    private func readerEvent(_ event: SubscriberReader.Event, _ local: Int) {
        switch event {
        case .subscribed:
            markSubscribed(local)
        case .message(let bytes):
            if plan.kind == .response { markSubscribed(local) }  // the answer beat the send completion
            guard let stamp = Payload.parse(bytes) else {
                if plan.kind == .response { unexpectedMessages += 1 }  // e.g. the hold's timeout body
                return
            }
            let outcome = ledger.record(subscriber: local, expectedChannel: plan.channel(ofSubscriber: globalIndex[local]), stamp: stamp)
            if outcome == .first {
                let micros = receiveNanos > stamp.publishedNanos ? (receiveNanos - stamp.publishedNanos) / 1000 : 0
                _ = latency.record(micros)
                lastDeliveryNanos = receiveNanos
            }
        case .ping(let bytes):
            sendPong(local, bytes)
        case .finished:
            if phases[local] == .subscribed {
                close(local, as: .closed)
                if plan.kind != .response { closedEarly += 1 }
            } else {
                fail(local, "subscriber: server ended the response before subscribing")
            }
        case .failed(let reason):
            if phases[local] == .subscribed, plan.kind == .response {
                // A long-poll was only presumed held; a refusal means it never was.
                subscribedCount -= 1
                inFlight += 1
                phases[local] = .requesting
                fail(local, "subscriber: \(reason)")
            } else if phases[local] == .subscribed {
                close(local, as: .closed)
                closedEarly += 1
                note("subscriber after subscribing: \(reason)")
            } else {
                fail(local, "subscriber: \(reason)")
            }
        }
    }

    private func markSubscribed(_ local: Int) {
        guard phases[local] == .requesting else { return }
        phases[local] = .subscribed
        subscribedCount += 1
        inFlight -= 1
        lastSubscribedNanos = receiveNanos
    }

    private func fail(_ local: Int, _ reason: String) {
        let wasSubscribed = phases[local] == .subscribed
        if !wasSubscribed { inFlight -= 1 }
        close(local, as: wasSubscribed ? .closed : .failed)
        if wasSubscribed {
            closedEarly += 1
        } else {
            failedCount += 1
        }
        note(reason)
    }

    private func close(_ local: Int, as phase: SubscriberPhase) {
        phases[local] = phase
        ClientSocket.abort(fds[local])
        fds[local] = -1
    }

    /// Answers a ping with a masked pong (RFC 6455 §5.5.3); one at a time per subscriber.
    private func sendPong(_ local: Int, _ payload: UnsafeRawBufferPointer) {
        guard pongs[local] == nil, fds[local] >= 0 else { return }
        var frame: [UInt8] = []
        WebSocketFrameEncoder.append(opcode: .pong, payload: payload, mask: UInt32.random(in: 0...UInt32.max), to: &frame)
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: frame.count, alignment: 16)
        frame.withUnsafeBytes { memory.copyMemory(from: $0) }
        guard let base = memory.baseAddress else { return memory.deallocate() }
        pongs[local] = memory
        ring.prepareSend(fd: fds[local], bytes: UnsafeRawPointer(base), count: frame.count, userData: tag(.subscriberPong, local))
    }

    func pongSent(_ local: Int) {
        pongs.removeValue(forKey: local)?.deallocate()
    }
}
