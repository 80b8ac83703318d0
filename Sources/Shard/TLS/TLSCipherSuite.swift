/// A cipher suite pushpind's record layer runs: its TLS version, its AEAD and the hash its keys
/// are derived with. TLS 1.3's three suites, and TLS 1.2's ECDHE suites with the same AEADs
/// (`TLSContext.tls12Ciphers`).
struct TLSCipherSuite: Equatable {
    enum Version { case tls12, tls13 }

    /// Numbered as the shim's `copenssl_aead_new` takes them.
    enum AEAD: Int32 {
        case aes128GCM = 1, aes256GCM = 2, chacha20Poly1305 = 3
    }

    /// The suite's number on the wire (0x1301..., 0xC02B...).
    let number: UInt16
    let version: Version
    let aead: AEAD
    /// TLS 1.3's HKDF hash, TLS 1.2's PRF hash.
    let digest: String
    let keyLength: Int

    static let aes128GCM = TLSCipherSuite(number: 0x1301, version: .tls13, aead: .aes128GCM)
    static let aes256GCM = TLSCipherSuite(number: 0x1302, version: .tls13, aead: .aes256GCM)
    static let chacha20Poly1305 = TLSCipherSuite(number: 0x1303, version: .tls13, aead: .chacha20Poly1305)

    init?(number: UInt16) {
        switch number {
        case 0x1301: self = .aes128GCM
        case 0x1302: self = .aes256GCM
        case 0x1303: self = .chacha20Poly1305
        // ECDHE-ECDSA- and ECDHE-RSA-: AES128-GCM-SHA256, AES256-GCM-SHA384, CHACHA20-POLY1305.
        case 0xC02B, 0xC02F: self.init(number: number, version: .tls12, aead: .aes128GCM)
        case 0xC02C, 0xC030: self.init(number: number, version: .tls12, aead: .aes256GCM)
        case 0xCCA9, 0xCCA8: self.init(number: number, version: .tls12, aead: .chacha20Poly1305)
        default: return nil
        }
    }

    private init(number: UInt16, version: Version, aead: AEAD) {
        self.number = number
        self.version = version
        self.aead = aead
        digest = aead == .aes256GCM ? "SHA384" : "SHA256"
        keyLength = aead == .aes128GCM ? 16 : 32
    }

    /// TLS 1.3: the hash's output, the length of a traffic secret.
    var secretLength: Int { digest == "SHA384" ? 48 : 32 }

    /// TLS 1.2: the IV's bytes in the key block: GCM's 4-byte salt (RFC 5288), ChaCha20's
    /// whole 12 (RFC 7905).
    var fixedIVLength: Int { aead == .chacha20Poly1305 ? 12 : 4 }

    /// Nonce bytes each record carries ahead of its ciphertext: TLS 1.2 GCM's explicit 8.
    var explicitNonceLength: Int { version == .tls12 && aead != .chacha20Poly1305 ? 8 : 0 }

    /// TLS 1.2: the key block's length (RFC 5246 §6.3; AEAD suites have no MAC keys): the
    /// client's and the server's write keys, then their IVs.
    var keyBlockLength: Int { 2 * (keyLength + fixedIVLength) }
}
