import Glibc
import IOUring
import Wire

extension ShardLoop {
    func armAccept(_ listener: Int) {
        guard !acceptArmed[listener], listeners[listener] >= 0 else { return }
        ring.prepareMultishotAccept(fd: listeners[listener], userData: UserData(.accept, 0, UInt32(listener)))
        acceptArmed[listener] = true
    }

    func acceptCompleted(_ completion: Completion) {
        let listener = Int(completion.userData.slot)
        guard listener < listeners.count else {
            if completion.result >= 0 { close(completion.result) }
            return
        }
        if !completion.hasMore { acceptArmed[listener] = false }
        let fd = completion.result
        if fd < 0 {
            switch -fd {
            case ECANCELED, EBADF, EINVAL:
                break  // listener closed for shutdown
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                logger.warning("accept failed: out of descriptors or memory (\(-fd)); pausing accepts briefly")
                timers.schedule(
                    kind: TimerKind.acceptRetry.rawValue, slot: UInt32(listener), generation: 0, token: 0,
                    deadlineNanos: now + configuration.acceptRetryNanos)
                return
            default:
                logger.debug("accept failed: \(-fd)")
            }
            if !acceptArmed[listener] && !draining && -fd != ECANCELED { armAccept(listener) }
            return
        }
        if !acceptArmed[listener] && !draining { armAccept(listener) }
        guard !draining else {
            close(fd)
            return
        }
        guard stats.connectionsAccepted - stats.connectionsClosed < configuration.maxConnections else {
            refuse(fd, tls: isTLSListener(listener))
            return
        }
        openClient(fd: fd, listener: listener)
    }

    /// Over the connection limit: a short 503 (plaintext clients only) and an immediate close, counted.
    private func refuse(_ fd: Int32, tls: Bool) {
        stats.connectionsRefused += 1
        if !tls { Sockets.sendNow(fd, Self.refusal) }
        close(fd)
    }

    private static let refusal = HTTPWriter.simpleResponse(
        status: 503, reason: "Service Unavailable", body: "Too many connections.\n", close: true)

    private func openClient(fd: Int32, listener: Int) {
        let client = clients.take { slot, generation in
            let client = ClientConnection(slot: slot, maxHeadBytes: configuration.clientBufferSize)
            client.socket.generation = generation
            return client
        }
        let generation = (client.socket.generation &+ 1) & UserData.generationMask
        client.reset(fd: fd, generation: generation)
        stats.connectionsAccepted += 1  // TCP_NODELAY comes from the listener (ListeningSocket)
        if isTLSListener(listener) && !startTLS(client, listener: listener) {
            stats.tlsHandshakeFailures += 1
            closeClient(client)
            return
        }
        // The first request head is due from the accept (from the handshake's end under a
        // handshake limit): a connection that sends nothing, or a byte now and then, is no
        // cheaper to hold than one that sends slowly.
        if client.tls != nil && configuration.clientHandshakeTimeoutNanos > 0 {
            limitClient(client, .handshake)
        } else {
            limitFirstRequest(client)
        }
        armClientRecv(client)
    }
}
