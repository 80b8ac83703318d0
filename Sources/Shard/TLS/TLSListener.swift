import COpenSSL

/// What a shard's https listener hands each connection it accepts: a context with no
/// certificate of its own, whose SNI callback switches the session to the certificate the
/// store picks for the name (or `default_<port>`); no certificate, no handshake.
///
/// Sessions keep this context as the one their tickets are made with, so resumption works
/// whichever certificate they were switched to.
final class TLSListener {
    let port: Int
    let store: TLSCertificateStore
    let context: TLSContext

    init(port: Int, store: TLSCertificateStore) throws(TLSError) {
        self.port = port
        self.store = store
        context = try TLSContext.server(ticketKeys: store.ticketKeys)
        // The context never outlives the shard's listeners, which keep this object.
        copenssl_ctx_set_servername_callback(context.pointer, Self.chooseCertificate, Unmanaged.passUnretained(self).toOpaque())
    }

    /// OpenSSL calls this for every ClientHello, with or without SNI.
    private static let chooseCertificate: @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>?, UnsafeMutableRawPointer?) -> Int32 = {
        ssl, alert, argument in
        guard let ssl, let argument else { return SSL_TLSEXT_ERR_ALERT_FATAL }
        let listener = Unmanaged<TLSListener>.fromOpaque(argument).takeUnretainedValue()
        let name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name).map { String(cString: $0) }
        guard let chosen = listener.store.context(serverName: name, port: listener.port) else {
            alert?.pointee = SSL_AD_UNRECOGNIZED_NAME
            return SSL_TLSEXT_ERR_ALERT_FATAL
        }
        _ = SSL_set_SSL_CTX(ssl, chosen.pointer)
        return SSL_TLSEXT_ERR_OK
    }
}
