import Glibc
import IOUring

/// Send, receive-arming and close mechanics shared by client and backend sockets.
extension ShardLoop {
    func armClientRecv(_ client: ClientConnection) {
        guard !client.socket.inFlight.contains(.recv), client.socket.isLive else { return }
        ring.prepareMultishotRecv(fd: client.socket.fd, bufferGroup: bufferGroup, userData: UserData(.clientRecv, client.handle))
        client.socket.inFlight.insert(.recv)
    }

    func armBackendRecv(_ backend: BackendConnection) {
        guard !backend.socket.inFlight.contains(.recv), backend.socket.isLive else { return }
        ring.prepareMultishotRecv(fd: backend.socket.fd, bufferGroup: bufferGroup, userData: UserData(.backendRecv, backend.handle))
        backend.socket.inFlight.insert(.recv)
    }

    /// Stops a multishot receive (backpressure), once. Its final completion ends `.recv` and
    /// `.recvCancel`.
    func cancelRecv(_ socket: inout SocketState, op: Operation, slot: UInt32) {
        guard socket.inFlight.contains(.recv), !socket.inFlight.contains(.recvCancel) else { return }
        socket.inFlight.insert(.recvCancel)
        ring.prepareCancel(target: UserData(op, socket.generation, slot), userData: .housekeeping)
    }

    /// Cancels each operation in flight on `socket` by its tag. A cancel by tag is a hash
    /// lookup in the kernel; a cancel by fd walks every armed poll of the ring, which made
    /// closing 10,000 held connections quadratic.
    func cancelInFlight(_ socket: SocketState, recv: Operation, send: Operation, connect: Operation?, slot: UInt32) {
        if socket.inFlight.contains(.recv) {
            ring.prepareCancel(target: UserData(recv, socket.generation, slot), userData: .housekeeping)
        }
        if socket.inFlight.contains(.send) {
            ring.prepareCancel(target: UserData(send, socket.generation, slot), userData: .housekeeping)
        }
        if socket.inFlight.contains(.connect), let connect {
            ring.prepareCancel(target: UserData(connect, socket.generation, slot), userData: .housekeeping)
        }
    }

    /// Starts a send unless one is in flight (a TLS client's waits for the end of the turn).
    /// Several queued segments (a burst of published messages) go out in one gathering send
    /// rather than one send each.
    func flushClient(_ client: ClientConnection) {
        if client.tls != nil {
            queueClientFlush(client)
            return
        }
        sendClient(client)
    }

    /// The flush of a response or handshake answer: the send waits for the end of the turn,
    /// so what the turn queues for the client (a response head, then its body as the backend's
    /// bytes are parsed) goes out in one gathering send rather than the head alone and the
    /// body after its completion.
    func queueClientFlush(_ client: ClientConnection) {
        guard !client.flushQueued, client.socket.isLive else { return }
        client.flushQueued = true
        clientFlushes.append(client)
    }

    /// The end of a turn: the queued flushes run.
    func flushQueuedClients() {
        var flushes = clientFlushes
        clientFlushes = []
        for client in flushes where client.flushQueued {
            client.flushQueued = false
            if let session = client.tls {
                sendTLS(client, session)
            } else {
                sendClient(client)
            }
        }
        flushes.removeAll(keepingCapacity: true)
        if clientFlushes.isEmpty { clientFlushes = flushes }
    }

    private func sendClient(_ client: ClientConnection) {
        guard !client.socket.inFlight.contains(.send), client.socket.isLive, let next = client.socket.sendQueue.nextSend
        else { return }
        let userData = UserData(.clientSend, client.handle)
        if client.socket.sendQueue.segmentCount > 1 {
            let vector = sendVectors.popLast() ?? SendVector()
            let count = client.socket.sendQueue.gather(into: vector.iovecs, max: SendVector.capacity)
            ring.prepareSendMessage(fd: client.socket.fd, message: vector.prepare(count: count), userData: userData)
            client.sendVector = vector
        } else {
            ring.prepareSend(fd: client.socket.fd, bytes: next.base, count: next.count, userData: userData)
        }
        client.socket.inFlight.insert(.send)
    }

    /// A gathering send completed: its vector goes back to the pool.
    func releaseSendVector(_ client: ClientConnection) {
        guard let vector = client.sendVector else { return }
        client.sendVector = nil
        if sendVectors.count < configuration.spareSendVectorsMax { sendVectors.append(vector) }
    }

    func flushBackend(_ backend: BackendConnection) {
        guard !backend.socket.inFlight.contains(.send), backend.socket.lifecycle == .open else { return }
        if backend.tls != nil { return flushTLSBackend(backend) }
        guard let next = backend.socket.sendQueue.nextSend else { return }
        ring.prepareSend(fd: backend.socket.fd, bytes: next.base, count: next.count, userData: UserData(.backendSend, backend.handle))
        backend.socket.inFlight.insert(.send)
    }

    /// Closes a client connection now (abortive: pending output is dropped). The slot is
    /// freed once the cancelled operations have completed.
    func closeClient(_ client: ClientConnection) {
        guard client.socket.isLive else { return }
        client.socket.lifecycle = .closing
        client.socket.timerToken &+= 1
        if client.hold != nil {
            postGoneLink(client)
            endHold(client)
        }
        if let session = client.webSocket {
            if session.accepted {
                webSocketOpenCount -= 1
                statsDisconnected(client)
            }
            unsubscribeAll(client)
        }
        if client.tunnelOpen {
            client.tunnelOpen = false
            webSocketOpenCount -= 1
        }
        releaseBackends(of: client)
        cancelInFlight(client.socket, recv: .clientRecv, send: .clientSend, connect: nil, slot: client.slot)
        finishClientClose(client)
    }

    /// Completes a close once nothing is in flight: close the fd, free the slot.
    func finishClientClose(_ client: ClientConnection) {
        guard client.socket.lifecycle == .closing, client.socket.quiet else { return }
        ring.prepareClose(fd: client.socket.fd, userData: .housekeeping)
        client.socket.lifecycle = .closed
        client.socket.fd = -1
        client.socket.generation = (client.socket.generation &+ 1) & UserData.generationMask
        client.socket.sendQueue.removeAll(pool: chunkPool)
        client.inbound.release()
        client.exchange = Exchange()
        client.tls = nil  // the session's memory goes now, not when the slot is reused
        stats.connectionsClosed += 1
        clients.release(client.slot)
    }

    func closeBackend(_ backend: BackendConnection) {
        guard backend.socket.isLive else { return }
        backend.socket.lifecycle = .closing
        backend.socket.timerToken &+= 1
        if case .idle = backend.state { removeFromPool(backend) }
        cancelInFlight(backend.socket, recv: .backendRecv, send: .backendSend, connect: .backendConnect, slot: backend.slot)
        finishBackendClose(backend)
    }

    func finishBackendClose(_ backend: BackendConnection) {
        guard backend.socket.lifecycle == .closing, backend.socket.quiet else { return }
        ring.prepareClose(fd: backend.socket.fd, userData: .housekeeping)
        backend.socket.lifecycle = .closed
        backend.socket.fd = -1
        backend.socket.generation = (backend.socket.generation &+ 1) & UserData.generationMask
        backend.socket.sendQueue.removeAll(pool: chunkPool)
        backend.wire.removeAll(pool: chunkPool)
        releaseBackendTLS(backend)
        backend.inbound.release()
        backends.release(backend.slot)
    }
}
