import COpenSSL

/// A finished session a client can offer again (a TLS 1.3 ticket or a TLS 1.2 session), so
/// its next handshake skips the certificate exchange.
public final class TLSSession {
    let pointer: OpaquePointer

    init(taking pointer: OpaquePointer) { self.pointer = pointer }

    deinit { SSL_SESSION_free(pointer) }
}

extension TLSStream {
    /// The session to resume later (client side, after the handshake; TLS 1.3 tickets arrive
    /// just after it, with the first records read).
    public var session: TLSSession? {
        guard let pointer = SSL_get1_session(handle), SSL_SESSION_is_resumable(pointer) == 1 else { return nil }
        return TLSSession(taking: pointer)
    }

    /// Offers `session` in the coming handshake (client side, before `start`).
    public func resume(_ session: TLSSession) {
        _ = SSL_set_session(handle, session.pointer)
    }
}
