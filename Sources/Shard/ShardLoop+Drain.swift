import Glibc
import IOUring

/// Graceful shutdown: stop accepting, finish what is in flight, then leave the loop.
extension ShardLoop {
    func beginDrain(drainNanos: Int64) {
        guard !draining else { return }
        draining = true
        drainDeadline = now + drainNanos
        for (index, fd) in listeners.enumerated() where fd >= 0 {
            ring.prepareCancel(target: UserData(.accept, 0, UInt32(index)), userData: .housekeeping)
            close(fd)  // the armed accept keeps its own reference until cancelled
            listeners[index] = -1
        }
        for client in clients where client.socket.isLive {
            if client.exchange.active || client.phase == .requestBody || client.phase == .awaitingResponse {
                client.exchange.closeWhenDone()
            } else {
                closeClient(client)
            }
        }
        logger.debug("draining", metadata: ["open": "\(stats.connectionsAccepted - stats.connectionsClosed)"])
    }

    /// Leaves the loop once every connection is gone, or forces that at the deadline.
    func checkDrained() {
        let open = stats.connectionsAccepted - stats.connectionsClosed
        if open == 0 {
            for backend in backends where backend.socket.fd >= 0 { closeBackend(backend) }
            if backends.allSatisfy({ $0.socket.fd < 0 }) {
                stopped = true
                return
            }
        }
        guard now >= drainDeadline else { return }
        if forcedClose {
            if now >= drainDeadline {
                logger.warning("shutdown: \(open) connections did not finish closing in time")
                stopped = true
            }
            return
        }
        logger.info("shutdown: closing \(open) connections still open after the drain period")
        forcedClose = true
        drainDeadline = now + configuration.forcedCloseNanos
        for client in clients where client.socket.fd >= 0 { closeClient(client) }
        for backend in backends where backend.socket.fd >= 0 { closeBackend(backend) }
    }
}
