import Glibc
import IOUring

/// TLS client connections: the session sits between the socket and the request machinery as
/// a byte transform. Received ciphertext is decrypted before `clientBytes` sees it; whatever
/// the connection queued is encrypted when it is flushed. The ring does all socket I/O, and a
/// plain connection only pays the `client.tls == nil` checks.
extension ShardLoop {
    /// Opens this shard's https listeners' contexts and loads the certificates. A listener
    /// whose context cannot be made refuses its connections (closed on accept) and says why.
    func setUpTLS() {
        guard configuration.listenerTLSPorts.contains(where: { $0 != nil }) else { return }
        guard let ticketKeys = configuration.ticketKeys ?? (try? TicketKeys()) else {
            logger.error("TLS session ticket keys could not be made: https listeners refuse their connections")
            return
        }
        let store = TLSCertificateStore(directory: configuration.certificatesDirectory, ticketKeys: ticketKeys)
        tls.store = store
        logCertificateFailures(store.refreshIfDue(nowNanos: now))
        if index == 0 { logger.info("TLS certificates in \(store.directory): \(store.names.joined(separator: ", "))") }
        tls.listeners = configuration.listenerTLSPorts.map { port in
            guard let port else { return nil }
            do {
                return try TLSListener(port: port, store: store)
            } catch {
                logger.error("https listener on port \(port): \(error)")
                return nil
            }
        }
    }

    /// A connection accepted on an https listener gets its session (nil: the listener
    /// could not make one, and the connection is closed).
    func startTLS(_ client: ClientConnection, listener: Int) -> Bool {
        guard listener < tls.listeners.count, let tlsListener = tls.listeners[listener], let store = tls.store else { return false }
        logCertificateFailures(store.refreshIfDue(nowNanos: now))
        guard let stream = try? TLSStream(context: tlsListener.context, role: .server) else { return false }
        client.tls = ClientTLS(stream: stream)
        return true
    }

    func isTLSListener(_ listener: Int) -> Bool {
        listener < configuration.listenerTLSPorts.count && configuration.listenerTLSPorts[listener] != nil
    }

    private func logCertificateFailures(_ failures: [(name: String, reason: String)]) {
        for failure in failures {
            stats.tlsCertificateErrors += 1
            logger.warning("TLS certificate \(failure.name) not loaded: \(failure.reason)")
        }
    }

    /// Ciphertext from a TLS client: decrypt, hand the plaintext on, answer the handshake.
    func clientCiphertext(_ client: ClientConnection, _ session: ClientTLS, _ bytes: UnsafeRawBufferPointer) {
        let handshaking = session.stream.state == .handshaking
        var plaintext = tls.plaintext
        tls.plaintext = []
        plaintext.removeAll(keepingCapacity: true)
        let state = session.stream.receive(bytes, into: &plaintext, output: &session.output, pool: chunkPool)
        switch state {
        case .failed(let error):
            if handshaking {
                stats.tlsHandshakeFailures += 1
            } else {
                stats.tlsSessionErrors += 1
            }
            logger.debug("TLS client \(client.peerHost) failed: \(error)")
            closeClient(client)
        case .established where handshaking:
            stats.tlsHandshakes += 1
            if session.stream.resumed { stats.tlsResumedHandshakes += 1 }
            if client.timeLimit.kind == .handshake { limitFirstRequest(client) }
        default:
            break
        }
        if !plaintext.isEmpty && client.socket.isLive {
            plaintext.withUnsafeBytes { clientBytes(client, $0) }
        }
        if state == .closed && client.socket.isLive { clientEOF(client) }
        flushClient(client)
        // Keep the scratch unless one large read made it big.
        if plaintext.capacity <= 4 * ShardTLS.recordBytes { tls.plaintext = plaintext }
    }

    /// Encrypts what is queued (once the ciphertext before it is sent) and sends the ciphertext.
    /// A TLS client's flush always waits for the end of the turn (`queueClientFlush`), so what
    /// the turn queues goes out as one record in one send rather than one each.
    func sendTLS(_ client: ClientConnection, _ session: ClientTLS) {
        guard !client.socket.inFlight.contains(.send), client.socket.isLive else { return }
        if session.output.isEmpty {
            encryptQueued(client, session)
            if session.output.isEmpty { tlsClientSent(client, session, count: 0) }  // a failed session sealed nothing
        }
        guard let next = session.output.nextSend else {
            if session.shutdownPending {
                session.shutdownPending = false
                Sockets.shutdownWrite(client.socket.fd)
            }
            return
        }
        ring.prepareSend(fd: client.socket.fd, bytes: next.base, count: next.count, userData: UserData(.clientSend, client.handle))
        client.socket.inFlight.insert(.send)
    }

    /// A send of ciphertext completed. Once all of it is sent, the plaintext it covers leaves
    /// the send queue (now, so the caller sees the queue as the client sees it).
    func tlsClientSent(_ client: ClientConnection, _ session: ClientTLS, count: Int) {
        session.output.consume(count, pool: chunkPool)
        if session.output.isEmpty && session.encryptedCount > 0 {
            client.socket.sendQueue.consume(session.encryptedCount, pool: chunkPool)
            session.encryptedCount = 0
        }
    }

    /// Queues close_notify before the write side shuts (lingering), so a close-delimited
    /// response is not mistaken for a truncated one.
    func shutdownTLSClient(_ client: ClientConnection, _ session: ClientTLS) {
        session.stream.close(output: &session.output, pool: chunkPool)
        session.shutdownPending = true
        queueClientFlush(client)
    }

    /// Encrypts up to `ShardTLS.batchBytes` from the front of the plaintext queue, in
    /// records of up to `ShardTLS.recordBytes` (many small queued messages share a record).
    private func encryptQueued(_ client: ClientConnection, _ session: ClientTLS) {
        guard !client.socket.sendQueue.isEmpty else { return }
        let vector = sendVectors.popLast() ?? SendVector()
        defer { if sendVectors.count < configuration.spareSendVectorsMax { sendVectors.append(vector) } }
        let count = client.socket.sendQueue.gather(into: vector.iovecs, max: SendVector.capacity)
        let records = tls.records
        var filled = 0
        var taken = 0
        for index in 0..<count where taken < ShardTLS.batchBytes {
            var source = UnsafeRawPointer(vector.iovecs[index].iov_base!)
            var left = min(vector.iovecs[index].iov_len, ShardTLS.batchBytes - taken)
            taken += left
            while left > 0 {
                let piece = min(left, records.count - filled)
                (records.baseAddress! + filled).copyMemory(from: source, byteCount: piece)
                filled += piece
                source += piece
                left -= piece
                if filled == records.count {
                    session.stream.send(UnsafeRawBufferPointer(records), output: &session.output, pool: chunkPool)
                    filled = 0
                }
            }
        }
        if filled > 0 { session.stream.send(UnsafeRawBufferPointer(rebasing: records[..<filled]), output: &session.output, pool: chunkPool) }
        session.encryptedCount = taken
    }
}
