import Glibc
import IOUring

/// TLS to `ssl` backends: the connection's `BackendTLS` between the ring and the exchange.
/// The TCP connect completes, the handshake runs on the bytes the ring receives, and only then
/// does the exchange hear `.connected`; after that plaintext queued for the backend is sealed
/// just before each send, and what the backend sends is decrypted before it is parsed. A
/// handshake that fails (a certificate that does not verify included) is a connect failure:
/// the next candidate is tried, then 502, counted as `backend_errors{kind="tls"}`.
extension ShardLoop {
    /// The TLS of a new connection to `target` for `serverName`; nil (counted, logged) when it
    /// cannot be set up.
    func makeBackendTLS(_ target: BackendTLSTarget, serverName: String) -> BackendTLS? {
        guard let context = target.context,
            let tls = BackendTLS(context: context, serverName: serverName, verifiedName: target.verifiedName(serverName: serverName))
        else {
            stats.backendTLSErrors += 1
            logger.info("backend TLS setup failed", metadata: ["target": "\(target.connectHost)", "name": "\(serverName)"])
            return nil
        }
        return tls
    }

    /// The TCP connect of a TLS backend completed: the ClientHello goes out.
    func startBackendHandshake(_ backend: BackendConnection) {
        advanceBackendHandshake(backend)
        if backend.socket.isLive { updateBackendRecv(backend) }
    }

    /// Runs the handshake on what has arrived; once done, the connection's user takes over.
    private func advanceBackendHandshake(_ backend: BackendConnection) {
        guard let tls = backend.tls else { return }
        switch tls.handshake() {
        case .pending:
            flushBackend(backend)
        case .failed(let reason):
            backendHandshakeFailed(backend, reason)
        case .established:
            flushBackend(backend)
            if case .notice = backend.state { return }
            guard let (client, role) = owner(of: backend) else {
                closeBackend(backend)
                return
            }
            perform(step(client, role) { $0.handle(.connected(reused: false)) }, client, role)
            updateClientRecv(client)
        }
    }

    /// The handshake failed or the backend went away during it: for the exchange, the
    /// connect failed.
    func backendHandshakeFailed(_ backend: BackendConnection, _ reason: String) {
        stats.backendTLSErrors += 1
        logger.info("backend TLS handshake failed", metadata: ["target": "\(backend.targetKey)", "reason": "\(reason)"])
        guard case .active = backend.state, let (client, role) = owner(of: backend) else {
            closeBackend(backend)
            return
        }
        releaseBackend(client, role, reusable: false)
        perform(step(client, role) { $0.handle(.connectFailed) }, client, role)
    }

    /// Ciphertext from a TLS backend: handshake records, or records decrypted and handled as
    /// a plain backend's bytes.
    func backendTLSReceived(_ backend: BackendConnection, _ tls: BackendTLS, _ bytes: UnsafeRawBufferPointer) {
        tls.receive(bytes)
        let generation = backend.socket.generation
        if !tls.established {
            advanceBackendHandshake(backend)
            guard backend.socket.generation == generation, backend.socket.isLive, tls.established else { return }
        }
        let buffer = tlsPlaintext ?? Self.allocatePlaintextBuffer()
        tlsPlaintext = buffer
        while backend.socket.generation == generation, backend.socket.isLive {
            switch tls.read(into: buffer) {
            case .bytes(let count):
                backendBytes(backend, UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            case .drained:
                flushBackend(backend)  // reading may have produced records to send (a key update)
                return
            case .closed:
                backendEOF(backend)
                return
            case .failed(let reason):
                // An alert after the handshake (a TLS 1.3 server refusing the client's
                // certificate says so only now): counted as TLS, then a reset like any other.
                stats.backendTLSErrors += 1
                logger.info("backend TLS failed", metadata: ["target": "\(backend.targetKey)", "reason": "\(reason)"])
                backendFailed(backend)
                return
            }
        }
    }

    /// A TLS record carries at most 16 KiB of plaintext: one read takes a whole record.
    private static func allocatePlaintextBuffer() -> UnsafeMutableRawBufferPointer {
        .allocate(byteCount: 16 * 1024, alignment: 16)
    }

    /// Sealed records kept ahead of the socket: the plaintext queue is sealed a segment at a
    /// time up to this, so the memory BIO never holds more than one segment's records.
    private static let sealAheadBytes = 64 * 1024

    /// Seals the plaintext queued for a TLS backend (once its handshake is done) and sends
    /// the records waiting, one send at a time like a plain backend's queue.
    func flushTLSBackend(_ backend: BackendConnection) {
        guard let tls = backend.tls else { return }
        tls.takeOutput { backend.wire.append($0, pool: chunkPool) }  // handshake records first
        while tls.established, backend.wire.byteCount < Self.sealAheadBytes, let next = backend.socket.sendQueue.nextSend {
            guard tls.write(UnsafeRawBufferPointer(start: next.base, count: next.count)) else {
                // Broken by an alert: the socket is shut so its receive ends and the
                // exchange learns it the usual way, never from inside a flush.
                backend.socket.sendQueue.removeAll(pool: chunkPool)
                shutdown(backend.socket.fd, Int32(SHUT_RDWR))
                break
            }
            backend.socket.sendQueue.consume(next.count, pool: chunkPool)
            tls.takeOutput { backend.wire.append($0, pool: chunkPool) }
        }
        guard let next = backend.wire.nextSend else { return }
        ring.prepareSend(fd: backend.socket.fd, bytes: next.base, count: next.count, userData: UserData(.backendSend, backend.handle))
        backend.socket.inFlight.insert(.send)
    }
}
