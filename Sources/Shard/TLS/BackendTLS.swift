import COpenSSL

/// One backend connection's TLS: an `SSL` in connect state between two memory BIOs. The
/// shard's ring moves the bytes; this only turns ciphertext received into plaintext and
/// plaintext to send into ciphertext, so it never blocks and never touches the socket.
final class BackendTLS {
    enum Progress {
        case pending
        case established
        /// Why, for the log: the verification error, an alert, or the library's reason.
        case failed(String)
    }

    enum ReadResult {
        case bytes(Int)
        /// Nothing more until more ciphertext arrives.
        case drained
        /// The backend sent close_notify.
        case closed
        case failed(String)
    }

    /// `SSL *`; owns both BIOs.
    private let ssl: OpaquePointer
    /// Ciphertext received, waiting for `SSL_read`/the handshake.
    private let received: OpaquePointer
    /// Ciphertext `SSL` produced, waiting to be queued for sending.
    private let produced: OpaquePointer
    private(set) var established = false

    /// `serverName` goes out as SNI (unless it is an IP literal); the certificate must be
    /// valid for `verifiedName`, and is not checked at all when that is nil. Nil when OpenSSL
    /// refuses (out of memory, a name it rejects).
    init?(context: BackendTLSContext, serverName: String, verifiedName: String?) {
        guard let ssl = SSL_new(context.context) else { return nil }
        guard let received = BIO_new(BIO_s_mem()), let produced = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            return nil
        }
        SSL_set_bio(ssl, received, produced)
        self.ssl = ssl
        self.received = received
        self.produced = produced
        SSL_set_connect_state(ssl)
        if !Self.isIPAddress(serverName), !serverName.isEmpty, copenssl_set_host_name(ssl, serverName) != 1 { return nil }
        if let verifiedName {
            let named =
                Self.isIPAddress(verifiedName)
                ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), verifiedName) : SSL_set1_host(ssl, verifiedName)
            guard named == 1 else { return nil }
        } else {
            SSL_set_verify(ssl, SSL_VERIFY_NONE, nil)
        }
    }

    deinit { SSL_free(ssl) }

    /// Runs the handshake as far as the ciphertext received allows.
    func handshake() -> Progress {
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            established = true
            return .established
        }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return .pending
        default: return .failed(failureReason())
        }
    }

    /// Ciphertext from the backend (a memory BIO takes all of it).
    func receive(_ ciphertext: UnsafeRawBufferPointer) {
        guard let base = ciphertext.baseAddress, !ciphertext.isEmpty else { return }
        _ = BIO_write(received, base, Int32(ciphertext.count))
    }

    /// Plaintext decrypted from what was received, up to `buffer.count` bytes.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> ReadResult {
        let result = SSL_read(ssl, buffer.baseAddress, Int32(buffer.count))
        if result > 0 { return .bytes(Int(result)) }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return .drained
        case SSL_ERROR_ZERO_RETURN: return .closed
        default: return .failed(failureReason())
        }
    }

    /// Seals plaintext into records; false when the connection is broken.
    func write(_ plaintext: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < plaintext.count {
            let result = SSL_write(ssl, plaintext.baseAddress! + offset, Int32(min(plaintext.count - offset, Int(Int32.max))))
            guard result > 0 else {
                ERR_clear_error()
                return false
            }
            offset += Int(result)
        }
        return true
    }

    /// Hands the ciphertext waiting to go out to `body`, then forgets it.
    func takeOutput(_ body: (UnsafeRawBufferPointer) -> Void) {
        var data: UnsafeMutablePointer<CChar>?
        let count = BIO_ctrl(produced, BIO_CTRL_INFO, 0, &data)
        guard count > 0, let data else { return }
        body(UnsafeRawBufferPointer(start: data, count: count))
        _ = BIO_ctrl(produced, BIO_CTRL_RESET, 0, nil)
    }

    /// The certificate's verification error when that is what failed, else the library's
    /// reason; the thread's error queue is left empty for the next connection.
    private func failureReason() -> String {
        let verified = SSL_get_verify_result(ssl)
        let reason: String
        if verified != X509_V_OK {
            reason = "certificate verify failed: " + String(cString: X509_verify_cert_error_string(verified))
        } else {
            reason = Self.lastError()
        }
        ERR_clear_error()
        return reason
    }

    /// The oldest error on the thread's OpenSSL error queue, as text.
    static func lastError() -> String {
        let code = ERR_get_error()
        guard code != 0 else { return "unknown TLS error" }
        var text = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &text, text.count)
        ERR_clear_error()
        return text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    private static func isIPAddress(_ name: String) -> Bool {
        name.contains(":") || (!name.isEmpty && name.utf8.allSatisfy { $0 == UInt8(ascii: ".") || ($0 >= 0x30 && $0 <= 0x39) })
    }
}
