import Glibc

/// A shard's TLS state: its certificate store, one listener context per https listener, and
/// scratch buffers reused by every TLS connection (so encrypting and decrypting allocate
/// nothing per record). Empty, and never touched, when no https port is configured.
final class ShardTLS {
    /// By listener index (`ShardLoop.listeners`); nil for plain listeners.
    var listeners: [TLSListener?] = []
    var store: TLSCertificateStore? = nil
    /// Plaintext a receive decrypted, before the request machinery takes it.
    var plaintext: [UInt8] = []
    /// Plaintext gathered into records of up to this size (many small queued messages share one).
    static let recordBytes = 16_384
    let records = UnsafeMutableRawBufferPointer.allocate(byteCount: recordBytes, alignment: 16)
    /// Plaintext encrypted per send: bounds the ciphertext a connection holds beside its
    /// plaintext queue.
    static let batchBytes = 64 * 1024

    deinit { records.deallocate() }
}
