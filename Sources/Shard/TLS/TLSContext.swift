import COpenSSL

/// An OpenSSL `SSL_CTX` with pushpind's settings: TLS 1.2 and 1.3 only, forward-secret AEAD
/// ciphers, ALPN `http/1.1`, and buffers released while a session is idle
/// (`SSL_MODE_RELEASE_BUFFERS`), which is most of what an idle TLS connection would cost.
/// `SSL_CTX` is reference counted and thread safe; sessions made from it keep it alive, so a
/// replaced context (a reloaded certificate) goes away with its last connection.
public final class TLSContext: @unchecked Sendable {
    let pointer: OpaquePointer

    /// TLS 1.2 suites (TLS 1.3's are OpenSSL's defaults, all AEAD): ECDHE only, AEAD only.
    static let tls12Ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
        + "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
        + "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

    private init(method: OpaquePointer?) throws(TLSError) {
        guard let context = SSL_CTX_new(method) else {
            throw TLSError.drainingQueue(.configuration, fallback: "SSL_CTX_new failed")
        }
        pointer = context
        guard copenssl_ctx_set_protocol_range(context, TLS1_2_VERSION, TLS1_3_VERSION) == 1,
              SSL_CTX_set_cipher_list(context, Self.tls12Ciphers) == 1,
              copenssl_ctx_set_groups(context, "X25519:P-256:P-384") == 1
        else { throw TLSError.drainingQueue(.configuration, fallback: "TLS context settings refused") }
        _ = copenssl_ctx_set_mode(context, Int(SSL_MODE_RELEASE_BUFFERS))
        _ = SSL_CTX_set_options(context, COPENSSL_OP_NO_RENEGOTIATION | COPENSSL_OP_NO_COMPRESSION)
    }

    deinit { SSL_CTX_free(pointer) }

    /// A server context serving one certificate chain and its key (PEM files).
    /// `ticketKeys` seal session tickets; every shard gets the same keys, so a client resumes
    /// whichever shard the kernel hands its next connection to.
    public static func server(certificateFile: String, keyFile: String, ticketKeys: TicketKeys) throws(TLSError) -> TLSContext {
        let context = try server(ticketKeys: ticketKeys)
        try context.useCertificate(file: certificateFile, keyFile: keyFile)
        return context
    }

    /// A server context with no certificate yet: an SNI callback gives each session one.
    public static func server(ticketKeys: TicketKeys) throws(TLSError) -> TLSContext {
        let context = try TLSContext(method: TLS_server_method())
        // Tickets carry the whole session, so no server-side cache is kept.
        _ = copenssl_ctx_set_session_cache_mode(context.pointer, Int(SSL_SESS_CACHE_OFF))
        guard copenssl_ctx_use_ticket_keys(context.pointer, ticketKeys.pointer) == 1 else {
            throw TLSError.drainingQueue(.configuration, fallback: "session ticket keys refused")
        }
        copenssl_ctx_select_http1_alpn(context.pointer)
        // TLS 1.3 sessions' traffic secrets, for their handover to `TLSRecordLayer`.
        copenssl_ctx_log_traffic_secrets(context.pointer)
        return context
    }

    /// A client context offering ALPN `http/1.1`, verifying nothing yet (the caller sets a
    /// verification policy on it before use).
    public static func client() throws(TLSError) -> TLSContext {
        let context = try TLSContext(method: TLS_client_method())
        guard copenssl_ctx_offer_http1_alpn(context.pointer) == 1 else {
            throw TLSError.drainingQueue(.configuration, fallback: "ALPN offer refused")
        }
        return context
    }

    func useCertificate(file certificateFile: String, keyFile: String) throws(TLSError) {
        guard SSL_CTX_use_certificate_chain_file(pointer, certificateFile) == 1 else {
            throw TLSError.drainingQueue(.configuration, fallback: "cannot read certificate \(certificateFile)")
        }
        guard SSL_CTX_use_PrivateKey_file(pointer, keyFile, SSL_FILETYPE_PEM) == 1 else {
            throw TLSError.drainingQueue(.configuration, fallback: "cannot read key \(keyFile)")
        }
        guard SSL_CTX_check_private_key(pointer) == 1 else {
            throw TLSError.drainingQueue(.configuration, fallback: "key \(keyFile) does not match \(certificateFile)")
        }
    }
}
