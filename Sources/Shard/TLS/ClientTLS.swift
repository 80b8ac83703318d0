/// A client connection's TLS: its session, the ciphertext waiting for the socket, and how
/// much of the connection's send queue that ciphertext covers.
///
/// Everything else on the connection keeps writing plaintext into `socket.sendQueue` and
/// reading its size (backpressure, slow subscribers, linger), as for a plain client. The
/// plaintext leaves that queue only once its ciphertext has been sent, so the queue's size
/// still says what the client has not received yet.
final class ClientTLS {
    let stream: TLSStream
    /// Ciphertext, sent from here instead of the plaintext queue.
    var output = SendQueue()
    /// Bytes at the front of the plaintext queue already encrypted into `output`.
    var encryptedCount = 0
    /// close_notify is queued: the write side shuts once `output` is sent.
    var shutdownPending = false

    init(stream: TLSStream) {
        self.stream = stream
    }
}
