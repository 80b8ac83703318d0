import Glibc
import IOUring

/// Send, receive-arming and close mechanics shared by client and backend sockets.
extension ShardLoop {
    func armClientRecv(_ client: ClientConnection) {
        guard !client.socket.recvArmed, !client.socket.closing else { return }
        if ring.prepareMultishotRecv(
            fd: client.socket.fd, bufferGroup: bufferGroup,
            userData: UserData(.clientRecv, client.socket.generation, client.slot))
        {
            client.socket.recvArmed = true
        }
    }

    func armBackendRecv(_ backend: BackendConnection) {
        guard !backend.socket.recvArmed, !backend.socket.closing else { return }
        if ring.prepareMultishotRecv(
            fd: backend.socket.fd, bufferGroup: bufferGroup,
            userData: UserData(.backendRecv, backend.socket.generation, backend.slot))
        {
            backend.socket.recvArmed = true
        }
    }

    /// Stops a multishot receive (backpressure). Its final completion clears `recvArmed`.
    func cancelRecv(_ socket: SocketState, op: Operation, slot: UInt32) {
        guard socket.recvArmed else { return }
        ring.prepareCancel(target: UserData(op, socket.generation, slot), userData: .housekeeping)
    }

    /// Cancels each operation in flight on `socket` by its tag. A cancel by tag is a hash
    /// lookup in the kernel; a cancel by fd walks every armed poll of the ring, which made
    /// closing 10,000 held connections quadratic.
    func cancelInFlight(_ socket: SocketState, recv: Operation, send: Operation, connect: Operation?, slot: UInt32) {
        if socket.recvArmed { ring.prepareCancel(target: UserData(recv, socket.generation, slot), userData: .housekeeping) }
        if socket.sendInFlight { ring.prepareCancel(target: UserData(send, socket.generation, slot), userData: .housekeeping) }
        if socket.connectInFlight, let connect {
            ring.prepareCancel(target: UserData(connect, socket.generation, slot), userData: .housekeeping)
        }
    }

    /// Starts a send unless one is in flight. Several queued segments (a burst of published
    /// messages) go out in one gathering send rather than one send each.
    func flushClient(_ client: ClientConnection) {
        guard !client.socket.sendInFlight, !client.socket.closing, let next = client.socket.sendQueue.nextSend else { return }
        let userData = UserData(.clientSend, client.socket.generation, client.slot)
        if client.socket.sendQueue.segmentCount > 1 {
            let vector = sendVectors.popLast() ?? SendVector()
            let count = client.socket.sendQueue.gather(into: vector.iovecs, max: SendVector.capacity)
            if ring.prepareSendMessage(fd: client.socket.fd, message: vector.prepare(count: count), userData: userData) {
                client.sendVector = vector
                client.socket.sendInFlight = true
            } else {
                sendVectors.append(vector)
            }
            return
        }
        if ring.prepareSend(fd: client.socket.fd, bytes: next.base, count: next.count, userData: userData) {
            client.socket.sendInFlight = true
        }
    }

    /// A gathering send completed: its vector goes back to the pool.
    func releaseSendVector(_ client: ClientConnection) {
        guard let vector = client.sendVector else { return }
        client.sendVector = nil
        if sendVectors.count < 1024 { sendVectors.append(vector) }
    }

    func flushBackend(_ backend: BackendConnection) {
        guard !backend.socket.sendInFlight, !backend.socket.closing, !backend.socket.connectInFlight,
            let next = backend.socket.sendQueue.nextSend
        else { return }
        if ring.prepareSend(
            fd: backend.socket.fd, bytes: next.base, count: next.count,
            userData: UserData(.backendSend, backend.socket.generation, backend.slot))
        {
            backend.socket.sendInFlight = true
        }
    }

    /// Closes a client connection now (abortive: pending output is dropped). The slot is
    /// freed once the cancelled operations have completed.
    func closeClient(_ client: ClientConnection) {
        guard !client.socket.closing else { return }
        client.socket.closing = true
        client.socket.timerToken &+= 1
        if client.hold != nil { endHold(client) }
        if let session = client.webSocket {
            if session.accepted { webSocketOpenCount -= 1 }
            unsubscribeAll(client)
        }
        if client.tunnelOpen {
            client.tunnelOpen = false
            webSocketOpenCount -= 1
        }
        detachBackend(from: client, reusable: false)
        cancelInFlight(client.socket, recv: .clientRecv, send: .clientSend, connect: nil, slot: client.slot)
        finishClientClose(client)
    }

    /// Completes a close once nothing is in flight: close the fd, free the slot.
    func finishClientClose(_ client: ClientConnection) {
        guard client.socket.closing, client.socket.quiet, client.socket.fd >= 0 else { return }
        ring.prepareClose(fd: client.socket.fd, userData: .housekeeping)
        client.socket.fd = -1
        client.socket.generation = (client.socket.generation &+ 1) & UserData.generationMask
        client.socket.sendQueue.removeAll(pool: chunkPool)
        client.inbound.release()
        client.exchange = Exchange()
        stats.connectionsClosed += 1
        clients.release(client.slot)
    }

    func closeBackend(_ backend: BackendConnection) {
        guard !backend.socket.closing else { return }
        backend.socket.closing = true
        backend.socket.timerToken &+= 1
        if case .idle = backend.state { removeFromPool(backend) }
        cancelInFlight(backend.socket, recv: .backendRecv, send: .backendSend, connect: .backendConnect, slot: backend.slot)
        finishBackendClose(backend)
    }

    func finishBackendClose(_ backend: BackendConnection) {
        guard backend.socket.closing, backend.socket.quiet, backend.socket.fd >= 0 else { return }
        ring.prepareClose(fd: backend.socket.fd, userData: .housekeeping)
        backend.socket.fd = -1
        backend.socket.generation = (backend.socket.generation &+ 1) & UserData.generationMask
        backend.socket.sendQueue.removeAll(pool: chunkPool)
        backend.inbound.release()
        backends.release(backend.slot)
    }

    /// The client connection whose exchange `backend` carries, if it is still that exchange.
    func client(of backend: BackendConnection) -> ClientConnection? {
        guard case let .active(slot, generation) = backend.state, Int(slot) < clients.count else { return nil }
        let client = clients[Int(slot)]
        guard client.socket.generation == generation, !client.socket.closing else { return nil }
        guard case let .backend(backendSlot, backendGeneration) = client.exchange.upstream,
            backendSlot == backend.slot, backendGeneration == backend.socket.generation
        else { return nil }
        return client
    }

    /// The backend connection carrying `client`'s exchange, if any.
    func backend(of client: ClientConnection) -> BackendConnection? {
        guard case let .backend(slot, generation) = client.exchange.upstream, Int(slot) < backends.count else { return nil }
        let backend = backends[Int(slot)]
        guard backend.socket.generation == generation, !backend.socket.closing else { return nil }
        return backend
    }
}
