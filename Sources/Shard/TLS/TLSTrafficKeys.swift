import COpenSSL

/// One direction's traffic keys (TLS 1.3: RFC 8446 §7.3; TLS 1.2: from the key block, RFC 5246
/// §6.3): the secret (kept for TLS 1.3's key updates), the AEAD keyed from it, its IV and the
/// sequence number of the next record.
struct TLSTrafficKeys {
    static let ivLength = 12
    static let tagLength = 16

    private(set) var secret: [UInt8]
    /// The 12-byte IV, as raw bytes.
    private var iv: (UInt64, UInt32) = (0, 0)
    private(set) var sequence: UInt64
    let cipher: OpaquePointer
    private let encrypt: Bool

    /// TLS 1.3 keys from `secret`; `sequence` is the next record's number.
    init?(suite: TLSCipherSuite, secret: [UInt8], sequence: UInt64, encrypt: Bool) {
        guard secret.count == suite.secretLength, let derived = Self.derive(suite: suite, secret: secret) else { return nil }
        let made = derived.key.withUnsafeBufferPointer { key in
            derived.iv.withUnsafeBytes { Self(aead: suite.aead, key: key.baseAddress!, iv: $0, sequence: sequence, encrypt: encrypt) }
        }
        guard let made else { return nil }
        self = made
        self.secret = secret
    }

    /// Keys as they are: `iv` is the nonce's leading bytes (TLS 1.2 GCM's 4-byte salt, the
    /// rest zero, so the sequence number XORed in is the explicit nonce) or all 12 of them.
    init?(aead: TLSCipherSuite.AEAD, key: UnsafePointer<UInt8>, iv: UnsafeRawBufferPointer, sequence: UInt64, encrypt: Bool) {
        guard iv.count <= Self.ivLength, let cipher = copenssl_aead_new(aead.rawValue, key, encrypt ? 1 : 0) else { return nil }
        self.secret = []
        self.sequence = sequence
        self.cipher = cipher
        self.encrypt = encrypt
        withUnsafeMutableBytes(of: &self.iv) { $0.copyMemory(from: iv) }
    }

    /// Frees the AEAD context; called once, by the owner.
    func free() { EVP_CIPHER_CTX_free(cipher) }

    /// The next generation of keys (a KeyUpdate): secret N+1 = HKDF-Expand-Label(secret N,
    /// "traffic upd"), sequence numbers from 0.
    mutating func update(suite: TLSCipherSuite) -> Bool {
        var next = [UInt8](repeating: 0, count: suite.secretLength)
        let expanded = secret.withUnsafeBufferPointer { secret in
            next.withUnsafeMutableBufferPointer {
                copenssl_hkdf_expand_label(suite.digest, secret.baseAddress, secret.count, "traffic upd", $0.baseAddress, $0.count)
            }
        }
        guard expanded == 1, let derived = Self.derive(suite: suite, secret: next),
              derived.key.withUnsafeBufferPointer({ copenssl_aead_rekey(cipher, $0.baseAddress, encrypt ? 1 : 0) }) == 1
        else { return false }
        secret = next
        iv = Self.split(derived.iv)
        sequence = 0
        return true
    }

    /// Runs `body` with this record's nonce (the IV XOR the big-endian sequence number in its
    /// last 8 bytes) and counts the record. `explicit`: the 8 bytes a received TLS 1.2 GCM
    /// record carries (its sender chose them), in place of the sequence number.
    mutating func withNextNonce<Result>(explicit: UnsafeRawBufferPointer? = nil, _ body: (UnsafePointer<UInt8>) -> Result) -> Result {
        var nonce = iv
        let sequence = sequence
        self.sequence &+= 1
        return withUnsafeMutableBytes(of: &nonce) { bytes in
            if let explicit {
                for index in 0..<8 { bytes[Self.ivLength - 8 + index] ^= explicit[index] }
            } else {
                var rest = sequence
                for index in stride(from: Self.ivLength - 1, through: Self.ivLength - 8, by: -1) {
                    bytes[index] ^= UInt8(truncatingIfNeeded: rest)
                    rest >>= 8
                }
            }
            return body(bytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
    }

    private static func split(_ iv: [UInt8]) -> (UInt64, UInt32) {
        var parts: (UInt64, UInt32) = (0, 0)
        withUnsafeMutableBytes(of: &parts) { $0.copyMemory(from: UnsafeRawBufferPointer(start: iv, count: ivLength)) }
        return parts
    }

    private static func derive(suite: TLSCipherSuite, secret: [UInt8]) -> (key: [UInt8], iv: [UInt8])? {
        var key = [UInt8](repeating: 0, count: suite.keyLength)
        var iv = [UInt8](repeating: 0, count: ivLength)
        let done = secret.withUnsafeBufferPointer { secret in
            key.withUnsafeMutableBufferPointer {
                copenssl_hkdf_expand_label(suite.digest, secret.baseAddress, secret.count, "key", $0.baseAddress, $0.count)
            } == 1 && iv.withUnsafeMutableBufferPointer {
                copenssl_hkdf_expand_label(suite.digest, secret.baseAddress, secret.count, "iv", $0.baseAddress, $0.count)
            } == 1
        }
        return done ? (key, iv) : nil
    }
}
