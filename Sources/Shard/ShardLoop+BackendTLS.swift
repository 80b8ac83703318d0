import COpenSSL
import Glibc
import IOUring

/// TLS to `ssl` backends: the connection's `TLSStream` between the ring and the exchange.
/// The TCP connect completes, the handshake runs on the bytes the ring receives, and only then
/// does the exchange hear `.connected`; after that plaintext queued for the backend is sealed
/// just before each send, and what the backend sends is decrypted before it is parsed. A
/// handshake that fails (a certificate that does not verify included) is a connect failure:
/// the next candidate is tried, then 502, counted as `backend_errors{kind="tls"}`.
extension ShardLoop {
    /// The TLS of a new connection to `target` with SNI `serverName`, offering the session of
    /// the last connection pooled under `poolKey`; nil (counted, logged) when it cannot be set up.
    func makeBackendTLS(_ target: BackendTLSTarget, serverName: String, poolKey: String) -> TLSStream? {
        do {
            guard let context = target.context else { throw TLSError(stage: .configuration, reason: "no usable context") }
            let stream = try TLSStream(context: context, role: .client(serverName: Self.isIPAddress(serverName) ? nil : serverName))
            guard Self.setVerification(stream.handle, name: target.verifiedName(serverName: serverName)) else {
                throw TLSError.drainingQueue(.configuration, fallback: "name \(serverName) refused")
            }
            if let session = backendTLSSessions[poolKey] { stream.resume(session) }
            return stream
        } catch {
            stats.backendTLSErrors += 1
            logger.info("backend TLS setup failed", metadata: ["target": "\(target.connectHost)", "reason": "\(error)"])
            return nil
        }
    }

    /// The certificate must be valid for `name` (a DNS name or an IP literal); nil: not checked.
    private static func setVerification(_ ssl: OpaquePointer, name: String?) -> Bool {
        guard let name else {
            SSL_set_verify(ssl, SSL_VERIFY_NONE, nil)
            return true
        }
        let set = isIPAddress(name) ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name) : SSL_set1_host(ssl, name)
        return set == 1
    }

    /// Keeps the session of a connection its exchange is done with, so the next connection
    /// under the same pool key (same settings, same verified name) resumes it instead of a
    /// full handshake. Bounded: forgotten all at once past `sessionsMax` keys.
    func rememberBackendTLSSession(_ backend: BackendConnection) {
        guard let tls = backend.tls, tls.state == .established, let session = tls.session else { return }
        if backendTLSSessions.count >= Self.sessionsMax, backendTLSSessions[backend.targetKey] == nil {
            backendTLSSessions.removeAll()
        }
        backendTLSSessions[backend.targetKey] = session
    }

    private static let sessionsMax = 1024

    /// The connection is closing: OpenSSL would take a session that ends without
    /// close_notify (backends rarely send one) as unfit to resume, so an established one is
    /// marked as shut down first.
    func releaseBackendTLS(_ backend: BackendConnection) {
        if let tls = backend.tls, tls.state == .established || tls.state == .closed {
            SSL_set_shutdown(tls.handle, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN)
        }
        backend.tls = nil
    }

    /// IP literals get no SNI and are verified as addresses.
    private static func isIPAddress(_ name: String) -> Bool {
        name.contains(":") || (!name.isEmpty && name.utf8.allSatisfy { $0 == UInt8(ascii: ".") || ($0 >= 0x30 && $0 <= 0x39) })
    }

    /// The TCP connect of a TLS backend completed: the ClientHello goes out.
    func startBackendHandshake(_ backend: BackendConnection) {
        guard let tls = backend.tls else { return }
        tls.start(output: &backend.wire, pool: chunkPool)
        if case .failed(let error) = tls.state { return backendHandshakeFailed(backend, error.reason) }
        flushBackend(backend)
        updateBackendRecv(backend)
    }

    /// The handshake is done: the connection's user takes over.
    private func backendHandshakeDone(_ backend: BackendConnection) {
        flushBackend(backend)  // the last handshake records, and a gone-link POST waiting
        if case .notice = backend.state { return }
        guard let (client, role) = owner(of: backend) else {
            closeBackend(backend)
            return
        }
        perform(step(client, role) { $0.handle(.connected(reused: false)) }, client, role)
        updateClientRecv(client)
    }

    /// The handshake failed or the backend went away during it: for the exchange, the
    /// connect failed.
    func backendHandshakeFailed(_ backend: BackendConnection, _ reason: String) {
        stats.backendTLSErrors += 1
        var reason = reason
        if let tls = backend.tls, case let verified = SSL_get_verify_result(tls.handle), verified != X509_V_OK {
            reason = "certificate verify failed: " + String(cString: X509_verify_cert_error_string(verified))
        }
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
    func backendTLSReceived(_ backend: BackendConnection, _ tls: TLSStream, _ bytes: UnsafeRawBufferPointer) {
        let wasHandshaking = tls.state == .handshaking
        var plaintext = tlsPlaintext
        tlsPlaintext = []
        plaintext.removeAll(keepingCapacity: true)
        defer { tlsPlaintext = plaintext }
        let state = tls.receive(bytes, into: &plaintext, output: &backend.wire, pool: chunkPool)
        let generation = backend.socket.generation
        if wasHandshaking {
            switch state {
            case .handshaking:
                flushBackend(backend)
                return
            case .failed(let error):
                backendHandshakeFailed(backend, error.reason)
                return
            case .established, .closed:
                backendHandshakeDone(backend)
                guard backend.socket.generation == generation, backend.socket.isLive else { return }
            }
        }
        if !plaintext.isEmpty {
            plaintext.withUnsafeBytes { backendBytes(backend, $0) }
            guard backend.socket.generation == generation, backend.socket.isLive else { return }
        }
        switch tls.state {
        case .closed:
            backendEOF(backend)
        case .failed(let error):
            // An alert after the handshake (a TLS 1.3 server refusing the client's
            // certificate says so only now): counted as TLS, then a reset like any other.
            stats.backendTLSErrors += 1
            logger.info("backend TLS failed", metadata: ["target": "\(backend.targetKey)", "reason": "\(error.reason)"])
            backendFailed(backend)
        case .established, .handshaking:
            flushBackend(backend)  // reading may have produced records to send (a key update)
        }
    }

    /// Sealed records kept ahead of the socket: the plaintext queue is sealed a segment at a
    /// time up to this, so `wire` holds about this much beside the plaintext still queued.
    private static let sealAheadBytes = 64 * 1024

    /// Seals the plaintext queued for a TLS backend (once its handshake is done) and sends
    /// the records waiting, one send at a time like a plain backend's queue.
    func flushTLSBackend(_ backend: BackendConnection) {
        guard let tls = backend.tls else { return }
        while tls.state == .established, backend.wire.byteCount < Self.sealAheadBytes, let next = backend.socket.sendQueue.nextSend {
            guard tls.send(UnsafeRawBufferPointer(start: next.base, count: next.count), output: &backend.wire, pool: chunkPool) else {
                // Broken by an alert: the socket is shut so its receive ends and the
                // exchange learns it the usual way, never from inside a flush.
                backend.socket.sendQueue.removeAll(pool: chunkPool)
                shutdown(backend.socket.fd, Int32(SHUT_RDWR))
                break
            }
            backend.socket.sendQueue.consume(next.count, pool: chunkPool)
        }
        guard let next = backend.wire.nextSend else { return }
        ring.prepareSend(fd: backend.socket.fd, bytes: next.base, count: next.count, userData: UserData(.backendSend, backend.handle))
        backend.socket.inFlight.insert(.send)
    }
}
