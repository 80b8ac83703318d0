import COpenSSL

/// One TLS session as a byte transform, with no socket: ciphertext the socket received goes in
/// and plaintext comes out; plaintext to send goes in and ciphertext for the socket comes out.
/// OpenSSL reads the received bytes where the ring put them and writes its records straight
/// into the caller's send queue (a BIO with no buffer of its own, see `copenssl_pipe`), so the
/// shard's ring still does every read and write and an idle session keeps no I/O buffers.
///
/// Serves both ends: a server session (accepted client connections) and a client session
/// (backend connections). Plaintext written before the handshake finishes waits here and is
/// encrypted as soon as it does. Failures are values (`state`), never traps.
///
/// A server session (TLS 1.3, or TLS 1.2 with an AEAD suite) leaves OpenSSL once its
/// handshake is done: the `SSL` object is freed and `TLSRecordLayer` carries on with the
/// session's keys, which is most of what an idle TLS connection would otherwise hold.
///
/// Not thread safe; one shard owns it.
public final class TLSStream {
    public enum Role {
        case server
        /// `serverName` goes out as SNI (and is what a verifying context checks).
        case client(serverName: String?)
    }

    public enum State: Equatable {
        case handshaking
        case established
        /// The peer sent close_notify.
        case closed
        case failed(TLSError)
    }

    public private(set) var state: State = .handshaking
    /// OpenSSL's session, until a handover to `records`.
    private var ssl: OpaquePointer?
    /// The record layer after a handover (server sessions).
    private(set) var records: TLSRecordLayer?
    /// What the handshake settled, kept for after a handover.
    private var handshake: (resumed: Bool, protocol: String?, serverName: String?) = (false, nil, nil)
    /// Plaintext written before the handshake finished.
    private var early: [UInt8] = []

    public init(context: TLSContext, role: Role) throws(TLSError) {
        guard let ssl = SSL_new(context.pointer) else {
            throw TLSError.drainingQueue(.configuration, fallback: "SSL_new failed")
        }
        self.ssl = ssl
        // The SSL owns the BIO from here; SSL_free frees it.
        guard copenssl_set_pipe_bio(ssl) == 1 else {
            SSL_free(ssl)
            throw TLSError.drainingQueue(.configuration, fallback: "BIO_new failed")
        }
        switch role {
        case .server:
            SSL_set_accept_state(ssl)
            // Without it the session simply stays in OpenSSL.
            _ = copenssl_track_handover(ssl)
        case .client(let serverName):
            SSL_set_connect_state(ssl)
            if let serverName, copenssl_set_host_name(ssl, serverName) != 1 {
                throw TLSError.drainingQueue(.configuration, fallback: "bad server name \(serverName)")
            }
        }
    }

    deinit { if let ssl { SSL_free(ssl) } }

    /// The raw `SSL*`, for settings a caller makes before the handshake (verification, SNI
    /// context switches) and queries after it. Client sessions only keep it for good; a server
    /// session's is gone after a handover.
    public var handle: OpaquePointer { ssl! }

    /// Starts a client's handshake: its ClientHello is appended to `output`.
    func start(output: inout SendQueue, pool: ChunkPool) {
        withPipe(input: nil, output: &output, pool: pool) { advanceHandshake() }
    }

    /// Ciphertext the socket received. Plaintext it decrypts is appended to `plaintext`;
    /// anything OpenSSL must answer (handshake messages, key updates) is appended to `output`.
    /// Returns the state after.
    @discardableResult
    func receive(_ ciphertext: UnsafeRawBufferPointer, into plaintext: inout [UInt8], output: inout SendQueue, pool: ChunkPool) -> State {
        guard state == .handshaking || state == .established else { return state }
        if let records {
            state = records.receive(ciphertext, into: &plaintext, output: &output, pool: pool)
            return state
        }
        // The handshake may finish part way through `ciphertext`: what follows it is read by
        // whichever record layer the session has then.
        var unread = 0
        withPipe(input: ciphertext, output: &output, pool: pool) { pipe in
            if state == .handshaking {
                advanceHandshake()
                if state == .established && handOverIfDue() {
                    unread = pipe.pointee.input_left
                    return
                }
                if state == .established { writeEarly() }
            }
            if state == .established { readPlaintext(into: &plaintext, pipe: pipe) }
        }
        if let records {
            if !early.isEmpty {
                _ = early.withUnsafeBytes { records.send($0, output: &output, pool: pool) }
                early = []
            }
            if unread > 0 {
                state = records.receive(UnsafeRawBufferPointer(rebasing: ciphertext[(ciphertext.count - unread)...]),
                                        into: &plaintext, output: &output, pool: pool)
            }
            state = records.state
        }
        return state
    }

    /// Encrypts `plaintext` (all of it: the output queue never refuses), appending the records
    /// to `output`. Before the handshake finishes it is kept and encrypted when it does. False
    /// when the session is closed or failed.
    @discardableResult
    func send(_ plaintext: UnsafeRawBufferPointer, output: inout SendQueue, pool: ChunkPool) -> Bool {
        if let records {
            defer { state = records.state }
            return records.send(plaintext, output: &output, pool: pool)
        }
        switch state {
        case .handshaking:
            early.append(contentsOf: plaintext)
            return true
        case .established:
            return withPipe(input: nil, output: &output, pool: pool) { write(plaintext) }
        case .closed, .failed:
            return false
        }
    }

    /// Appends close_notify to `output` (ciphertext to send before closing the socket).
    func close(output: inout SendQueue, pool: ChunkPool) {
        guard state == .established || state == .handshaking else { return }
        if let records {
            records.close(output: &output, pool: pool)
        } else if state == .established {
            withPipe(input: nil, output: &output, pool: pool) {
                Self.clearErrors()
                _ = SSL_shutdown(ssl)
                Self.clearErrors()
            }
        }
        state = .closed
    }

    /// The negotiated ALPN protocol, if any (after the handshake).
    public var negotiatedProtocol: String? {
        guard let ssl else { return handshake.protocol }
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// Whether the handshake resumed an earlier session (a ticket).
    public var resumed: Bool {
        guard let ssl else { return handshake.resumed }
        return SSL_session_reused(ssl) == 1
    }

    /// The SNI name the client sent (server side).
    public var serverName: String? {
        guard let ssl else { return handshake.serverName }
        guard let name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) else { return nil }
        return String(cString: name)
    }

    /// Where the BIO's writes go during one call: the caller's queue and its pool.
    private struct Sink {
        let queue: UnsafeMutablePointer<SendQueue>
        let pool: Unmanaged<ChunkPool>
    }

    private static let appendToSink: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<UInt8>?, Int) -> Void = {
        context, bytes, count in
        guard let sink = context?.assumingMemoryBound(to: Sink.self).pointee, count > 0 else { return }
        sink.queue.pointee.append(UnsafeRawBufferPointer(start: bytes, count: count), pool: sink.pool.takeUnretainedValue())
    }

    /// Runs `body` with this thread's pipe reading `input` and writing to `output`.
    private func withPipe<Result>(
        input: UnsafeRawBufferPointer?, output: inout SendQueue, pool: ChunkPool,
        _ body: (UnsafeMutablePointer<copenssl_pipe>) -> Result
    ) -> Result {
        withUnsafeMutablePointer(to: &output) { queue in
            var sink = Sink(queue: queue, pool: Unmanaged.passUnretained(pool))
            return withUnsafeMutablePointer(to: &sink) { sinkPointer in
                var pipe = copenssl_pipe(
                    input: input?.baseAddress?.assumingMemoryBound(to: UInt8.self), input_left: input?.count ?? 0,
                    sink: Self.appendToSink, sink_context: UnsafeMutableRawPointer(sinkPointer))
                return withUnsafeMutablePointer(to: &pipe) { pipePointer in
                    let previous = copenssl_pipe_swap(pipePointer)
                    defer { copenssl_pipe_swap(previous) }
                    return withExtendedLifetime(pool) { body(pipePointer) }
                }
            }
        }
    }

    private func withPipe<Result>(input: UnsafeRawBufferPointer?, output: inout SendQueue, pool: ChunkPool, _ body: () -> Result) -> Result {
        withPipe(input: input, output: &output, pool: pool) { (_: UnsafeMutablePointer<copenssl_pipe>) in body() }
    }

    /// SSL_get_error needs the thread's error queue empty before each call. It is, unless an
    /// earlier call failed, and ERR_clear_error walks every slot of it each time, so only a
    /// queue with something in it is cleared.
    private static func clearErrors() {
        if ERR_peek_error() != 0 { ERR_clear_error() }
    }

    private func advanceHandshake() {
        Self.clearErrors()
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            state = .established
            return
        }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            break
        default:
            state = .failed(TLSError.drainingQueue(.handshake, fallback: "handshake failed"))
        }
    }

    /// Plaintext sent during the handshake, once it is done.
    private func writeEarly() {
        guard !early.isEmpty else { return }
        let waiting = early
        early = []
        _ = waiting.withUnsafeBytes { write($0) }
    }

    /// Whether the (server) session's handshake is one OpenSSL finished with nothing of the
    /// peer's left unread, so its keys and record counts are all known.
    private var handOverDue: Bool {
        guard let ssl else { return false }
        let version = SSL_version(ssl)
        return (version == TLS1_3_VERSION || version == TLS1_2_VERSION) && SSL_is_init_finished(ssl) == 1
            && SSL_has_pending(ssl) == 0
    }

    /// Hands the session to `TLSRecordLayer` and frees OpenSSL's, if it is due, its suite is
    /// one the record layer runs and its keys were caught; otherwise OpenSSL keeps it. True
    /// when handed over.
    private func handOverIfDue() -> Bool {
        guard let ssl else { return records != nil }
        guard SSL_is_server(ssl) == 1 else { return false }  // client sessions are not tracked
        guard handOverDue else {
            _ = copenssl_take_handover(ssl, nil)  // stays in OpenSSL: stop counting
            return false
        }
        var caught = copenssl_handover()
        defer { withUnsafeMutableBytes(of: &caught) { $0.initializeMemory(as: UInt8.self, repeating: 0) } }
        guard copenssl_take_handover(ssl, &caught) == 1,
              let cipher = SSL_get_current_cipher(ssl),
              let suite = TLSCipherSuite(number: SSL_CIPHER_get_protocol_id(cipher)),
              let records = suite.version == .tls13 ? Self.tls13Records(suite, &caught) : Self.tls12Records(ssl, suite, caught)
        else { return false }
        handshake = (resumed, negotiatedProtocol, serverName)
        self.records = records
        self.ssl = nil
        SSL_free(ssl)
        return true
    }

    /// TLS 1.3: keys from the traffic secrets the key log gave.
    private static func tls13Records(_ suite: TLSCipherSuite, _ caught: inout copenssl_handover) -> TLSRecordLayer? {
        guard caught.client_secret_length == suite.secretLength, caught.server_secret_length == suite.secretLength else { return nil }
        let clientSecret = withUnsafeBytes(of: &caught.client_secret) { Array($0.prefix(suite.secretLength)) }
        let serverSecret = withUnsafeBytes(of: &caught.server_secret) { Array($0.prefix(suite.secretLength)) }
        return TLSRecordLayer(suite: suite, readSecret: clientSecret, writeSecret: serverSecret, writeSequence: caught.server_records)
    }

    /// TLS 1.2: keys from the key block, which is wiped once they are made; the sequences go on
    /// from the records each side sent since its ChangeCipherSpec.
    private static func tls12Records(_ ssl: OpaquePointer, _ suite: TLSCipherSuite, _ caught: copenssl_handover) -> TLSRecordLayer? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: suite.keyBlockLength) { block in
            block.initialize(repeating: 0)
            defer { block.update(repeating: 0) }
            guard copenssl_tls12_key_block(ssl, suite.digest, block.baseAddress, block.count) == 1 else { return nil }
            return TLSRecordLayer(suite: suite, keyBlock: UnsafeRawBufferPointer(block),
                                  readSequence: caught.read_records_after_ccs, writeSequence: caught.written_records_after_ccs)
        }
    }

    private func readPlaintext(into plaintext: inout [UInt8], pipe: UnsafeMutablePointer<copenssl_pipe>) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16_384) { scratch in
            // Only while there is input: an SSL_read that finds none allocates OpenSSL's read
            // buffer (about 17 kB) and keeps it until the next record, which an idle
            // connection may never send. Bounded: every turn consumes input or stops.
            while pipe.pointee.input_left > 0 || SSL_has_pending(ssl) == 1 {
                Self.clearErrors()
                let count = SSL_read(ssl, scratch.baseAddress, Int32(scratch.count))
                if count > 0 {
                    plaintext.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[0..<Int(count)]))
                    continue
                }
                switch SSL_get_error(ssl, count) {
                case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                    return
                case SSL_ERROR_ZERO_RETURN:
                    state = .closed
                    return
                default:
                    state = .failed(TLSError.drainingQueue(.session, fallback: "bad record"))
                    return
                }
            }
        }
    }

    private func write(_ plaintext: UnsafeRawBufferPointer) -> Bool {
        guard plaintext.count > 0 else { return true }
        Self.clearErrors()
        let written = SSL_write(ssl, plaintext.baseAddress, Int32(clamping: plaintext.count))
        guard written == plaintext.count else {
            state = .failed(TLSError.drainingQueue(.session, fallback: "write failed"))
            return false
        }
        return true
    }
}
