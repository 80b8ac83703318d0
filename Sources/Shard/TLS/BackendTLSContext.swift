import COpenSSL

/// The client side of TLS to backends, one per client identity in a shard: TLS 1.2 and 1.3,
/// ALPN `http/1.1`, peers verified against the system trust store as OpenSSL finds it
/// (`SSL_CERT_FILE` and `SSL_CERT_DIR` override it), and the `client_cert=`/`client_key=`
/// identity when a target has one. Which name is verified, or whether at all, is set per
/// connection (`BackendTLS`).
final class BackendTLSContext {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// `SSL_CTX *`
    let context: OpaquePointer

    /// Reads the trust store and the identity files: file I/O, done when routes are installed.
    init(certificateFile: String? = nil, keyFile: String? = nil) throws(Failure) {
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw Failure(description: BackendTLS.lastError()) }
        self.context = context
        guard copenssl_ctx_set_protocol_range(context, TLS1_2_VERSION, 0) == 1, copenssl_ctx_offer_http1_alpn(context) == 1 else {
            throw Failure(description: "TLS settings refused: \(BackendTLS.lastError())")
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        guard SSL_CTX_set_default_verify_paths(context) == 1 else {
            throw Failure(description: "cannot read the system trust store: \(BackendTLS.lastError())")
        }
        // Idle pooled connections give back their record buffers.
        _ = copenssl_ctx_set_mode(context, Int(SSL_MODE_RELEASE_BUFFERS))
        if let certificateFile, let keyFile {
            guard SSL_CTX_use_certificate_chain_file(context, certificateFile) == 1 else {
                throw Failure(description: "client_cert \(certificateFile): \(BackendTLS.lastError())")
            }
            guard SSL_CTX_use_PrivateKey_file(context, keyFile, SSL_FILETYPE_PEM) == 1 else {
                throw Failure(description: "client_key \(keyFile): \(BackendTLS.lastError())")
            }
            guard SSL_CTX_check_private_key(context) == 1 else {
                throw Failure(description: "client_key \(keyFile) does not match client_cert \(certificateFile)")
            }
        }
    }

    deinit { SSL_CTX_free(context) }
}
