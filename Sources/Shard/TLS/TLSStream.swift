import COpenSSL

/// One TLS session as a byte transform, with no socket: ciphertext the socket received goes in
/// and plaintext comes out; plaintext to send goes in and ciphertext for the socket comes out.
/// OpenSSL works between two memory BIOs, so the shard's ring still does every read and write.
///
/// Serves both ends: a server session (accepted client connections) and a client session
/// (backend connections). Plaintext written before the handshake finishes waits here and is
/// encrypted as soon as it does. Failures are values (`state`), never traps.
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
    private let ssl: OpaquePointer
    /// Ciphertext from the peer, waiting for OpenSSL.
    private var input: OpaquePointer
    /// Ciphertext from OpenSSL, waiting for the socket.
    private(set) var outputBIO: OpaquePointer
    /// Plaintext written before the handshake finished.
    private var early: [UInt8] = []

    /// A memory BIO that grew past this while a burst went through is replaced once drained,
    /// so an idle session does not keep the burst's buffer.
    private static let idleBufferCapacityMax = 4096

    public init(context: TLSContext, role: Role) throws(TLSError) {
        guard let ssl = SSL_new(context.pointer) else {
            throw TLSError.drainingQueue(.configuration, fallback: "SSL_new failed")
        }
        guard let input = BIO_new(BIO_s_mem()), let output = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw TLSError.drainingQueue(.configuration, fallback: "BIO_new failed")
        }
        self.ssl = ssl
        self.input = input
        self.outputBIO = output
        // The SSL owns both BIOs from here; SSL_free frees them.
        SSL_set_bio(ssl, input, output)
        switch role {
        case .server:
            SSL_set_accept_state(ssl)
        case .client(let serverName):
            SSL_set_connect_state(ssl)
            if let serverName, copenssl_set_host_name(ssl, serverName) != 1 {
                throw TLSError.drainingQueue(.configuration, fallback: "bad server name \(serverName)")
            }
        }
    }

    deinit { SSL_free(ssl) }

    /// The raw `SSL*`, for settings a caller makes before the handshake (verification, SNI
    /// context switches) and queries after it.
    public var handle: OpaquePointer { ssl }

    /// Starts a client's handshake: its ClientHello is then waiting in `takeCiphertext`.
    public func start() { advanceHandshake() }

    /// Ciphertext the socket received. Plaintext it decrypts is appended to `plaintext`;
    /// anything OpenSSL must answer (handshake messages, key updates) waits in `takeCiphertext`.
    /// Returns the state after.
    @discardableResult
    public func receive(_ ciphertext: UnsafeRawBufferPointer, into plaintext: inout [UInt8]) -> State {
        guard state == .handshaking || state == .established else { return state }
        if ciphertext.count > 0 {
            _ = BIO_write(input, ciphertext.baseAddress, Int32(clamping: ciphertext.count))
        }
        if state == .handshaking { advanceHandshake() }
        if state == .established { readPlaintext(into: &plaintext) }
        releaseDrainedInput()
        return state
    }

    /// Encrypts `plaintext` (all of it: the output BIO never refuses). Before the handshake
    /// finishes it is kept and encrypted when it does. False when the session is closed or failed.
    @discardableResult
    public func send(_ plaintext: UnsafeRawBufferPointer) -> Bool {
        switch state {
        case .handshaking:
            early.append(contentsOf: plaintext)
            return true
        case .established:
            return write(plaintext)
        case .closed, .failed:
            return false
        }
    }

    /// Queues close_notify (ciphertext to send before closing the socket).
    public func close() {
        guard state == .established || state == .handshaking else { return }
        if state == .established {
            ERR_clear_error()
            _ = SSL_shutdown(ssl)
            ERR_clear_error()
        }
        state = .closed
    }

    /// Bytes of ciphertext waiting for the socket.
    public var pendingCiphertextCount: Int { Int(BIO_ctrl_pending(outputBIO)) }

    /// Moves the waiting ciphertext to the end of `bytes`.
    public func takeCiphertext(into bytes: inout [UInt8]) {
        let count = pendingCiphertextCount
        guard count > 0 else { return }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: count))
        bytes.withUnsafeMutableBytes { buffer in
            _ = BIO_read(outputBIO, buffer.baseAddress! + start, Int32(count))
        }
        releaseDrainedOutput()
    }

    /// The negotiated ALPN protocol, if any (after the handshake).
    public var negotiatedProtocol: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// Whether the handshake resumed an earlier session (a ticket).
    public var resumed: Bool { SSL_session_reused(ssl) == 1 }

    /// The SNI name the client sent (server side).
    public var serverName: String? {
        guard let name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) else { return nil }
        return String(cString: name)
    }

    private func advanceHandshake() {
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            state = .established
            if !early.isEmpty {
                let waiting = early
                early = []
                _ = waiting.withUnsafeBytes { write($0) }
            }
            return
        }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            break
        default:
            state = .failed(TLSError.drainingQueue(.handshake, fallback: "handshake failed"))
        }
    }

    private func readPlaintext(into plaintext: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16_384) { scratch in
            // Only while there is input: an SSL_read that finds none allocates OpenSSL's read
            // buffer (about 17 kB) and keeps it until the next record, which an idle
            // connection may never send. Bounded: every turn consumes input or stops.
            while BIO_ctrl_pending(input) > 0 || SSL_has_pending(ssl) == 1 {
                ERR_clear_error()
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
        ERR_clear_error()
        let written = SSL_write(ssl, plaintext.baseAddress, Int32(clamping: plaintext.count))
        guard written == plaintext.count else {
            state = .failed(TLSError.drainingQueue(.session, fallback: "write failed"))
            return false
        }
        return true
    }

    /// Swaps an emptied input BIO that a burst made large for a fresh one.
    private func releaseDrainedInput() {
        guard BIO_ctrl_pending(input) == 0, copenssl_bio_capacity(input) > Self.idleBufferCapacityMax,
              let fresh = BIO_new(BIO_s_mem())
        else { return }
        SSL_set0_rbio(ssl, fresh)  // frees the old one
        input = fresh
    }

    /// The same for the output BIO, once the socket has taken everything.
    private func releaseDrainedOutput() {
        guard BIO_ctrl_pending(outputBIO) == 0, copenssl_bio_capacity(outputBIO) > Self.idleBufferCapacityMax,
              let fresh = BIO_new(BIO_s_mem())
        else { return }
        SSL_set0_wbio(ssl, fresh)  // frees the old one
        outputBIO = fresh
    }
}

extension TLSStream {
    /// Moves up to `buffer.count` bytes of waiting ciphertext into `buffer`; returns how many.
    public func readCiphertext(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        let count = Int(max(0, BIO_read(outputBIO, base, Int32(clamping: buffer.count))))
        releaseDrainedOutput()
        return count
    }
}
