import COpenSSL

/// A TLS 1.3 cipher suite pushpind's record layer runs: the AEAD and the hash its keys are
/// derived with.
struct TLSCipherSuite: Equatable {
    /// The suite's number on the wire (0x1301...).
    let number: UInt16
    let digest: String
    /// The hash's output: the length of a traffic secret.
    let secretLength: Int
    let keyLength: Int

    static let aes128GCM = TLSCipherSuite(number: 0x1301, digest: "SHA256", secretLength: 32, keyLength: 16)
    static let aes256GCM = TLSCipherSuite(number: 0x1302, digest: "SHA384", secretLength: 48, keyLength: 32)
    static let chacha20Poly1305 = TLSCipherSuite(number: 0x1303, digest: "SHA256", secretLength: 32, keyLength: 32)

    init?(number: UInt16) {
        switch number {
        case 0x1301: self = .aes128GCM
        case 0x1302: self = .aes256GCM
        case 0x1303: self = .chacha20Poly1305
        default: return nil
        }
    }

    private init(number: UInt16, digest: String, secretLength: Int, keyLength: Int) {
        self.number = number
        self.digest = digest
        self.secretLength = secretLength
        self.keyLength = keyLength
    }
}

/// One direction's traffic keys (RFC 8446 §7.3): the secret (kept for key updates), the AEAD
/// keyed from it, its IV and the sequence number of the next record.
struct TLSTrafficKeys {
    static let ivLength = 12
    static let tagLength = 16

    private(set) var secret: [UInt8]
    /// The 12-byte IV, as raw bytes.
    private var iv: (UInt64, UInt32) = (0, 0)
    private(set) var sequence: UInt64
    let cipher: OpaquePointer
    private let encrypt: Bool

    /// Keys from `secret`; `sequence` is the next record's number.
    init?(suite: TLSCipherSuite, secret: [UInt8], sequence: UInt64, encrypt: Bool) {
        guard secret.count == suite.secretLength,
              let derived = Self.derive(suite: suite, secret: secret),
              let cipher = derived.key.withUnsafeBufferPointer({ copenssl_aead_new(suite.number, $0.baseAddress, encrypt ? 1 : 0) })
        else { return nil }
        self.secret = secret
        self.sequence = sequence
        self.cipher = cipher
        self.encrypt = encrypt
        self.iv = Self.split(derived.iv)
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
    /// last 8 bytes) and counts the record.
    mutating func withNextNonce<Result>(_ body: (UnsafePointer<UInt8>) -> Result) -> Result {
        var nonce = iv
        let sequence = sequence
        self.sequence &+= 1
        return withUnsafeMutableBytes(of: &nonce) { bytes in
            var rest = sequence
            for index in stride(from: Self.ivLength - 1, through: Self.ivLength - 8, by: -1) {
                bytes[index] ^= UInt8(truncatingIfNeeded: rest)
                rest >>= 8
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
