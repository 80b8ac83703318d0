import COpenSSL

extension TLSContext {
    /// The client context of TLS to backends, one per client identity in a shard: peers
    /// verified against the system trust store as OpenSSL finds it (`SSL_CERT_FILE` and
    /// `SSL_CERT_DIR` override it), and the `client_cert=`/`client_key=` identity when a
    /// target has one. Which name is verified, or whether at all, is set per connection
    /// (`ShardLoop.makeBackendTLS`). Reads files: made when routes are installed.
    static func backend(certificateFile: String? = nil, keyFile: String? = nil) throws(TLSError) -> TLSContext {
        let context = try client()
        SSL_CTX_set_verify(context.pointer, SSL_VERIFY_PEER, nil)
        guard SSL_CTX_set_default_verify_paths(context.pointer) == 1 else {
            throw TLSError.drainingQueue(.configuration, fallback: "cannot read the system trust store")
        }
        if let certificateFile, let keyFile { try context.useCertificate(file: certificateFile, keyFile: keyFile) }
        return context
    }
}
