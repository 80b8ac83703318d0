import COpenSSL

/// The record layer of a TLS 1.3 (RFC 8446 §5) or TLS 1.2 AEAD (RFC 5246 §6.2, RFC 5288,
/// RFC 7905) session whose handshake OpenSSL did: what a kernel with kTLS would run, in
/// userspace, so the connection keeps no `SSL` object. It seals and opens records with
/// OpenSSL's AEADs under the session's keys, follows TLS 1.3's KeyUpdates, and closes on
/// anything else a peer may not send after the handshake (a TLS 1.2 renegotiation too).
///
/// A byte transform with no I/O, as `TLSStream`: ciphertext in, plaintext out; plaintext in,
/// records out (into the caller's queue). Failures are values (`state`) and leave a fatal
/// alert in the output. Not thread safe; one shard owns it.
final class TLSRecordLayer {
    enum ContentType: UInt8 {
        case changeCipherSpec = 20, alert = 21, handshake = 22, applicationData = 23
    }

    enum AlertDescription: UInt8 {
        case closeNotify = 0, unexpectedMessage = 10, badRecordMAC = 20, recordOverflow = 22,
             decodeError = 50, internalError = 80
    }

    static let headerLength = 5
    static let maxPlaintext = 16_384
    /// The longest record body a peer may send (plaintext, content type, padding and tag).
    static let maxCiphertext = 16_384 + 256
    /// The longest record body pushpind seals: TLS 1.2 GCM's explicit nonce or TLS 1.3's
    /// content type, 16 KB and the tag.
    private static let maxSealed = 8 + maxPlaintext + TLSTrafficKeys.tagLength
    private static let keyUpdate: UInt8 = 24

    let suite: TLSCipherSuite
    private var read: TLSTrafficKeys
    private var write: TLSTrafficKeys
    /// A record split across receives, as far as it came (empty between records, so an idle
    /// connection holds nothing here).
    private var partial: [UInt8] = []
    private(set) var state: TLSStream.State = .established

    private init(suite: TLSCipherSuite, read: TLSTrafficKeys, write: TLSTrafficKeys) {
        self.suite = suite
        self.read = read
        self.write = write
    }

    /// The keys of a TLS 1.3 session whose handshake is complete. `writeSequence`: records
    /// already sealed under `writeSecret` (session tickets); the peer has sent none under
    /// `readSecret`.
    convenience init?(suite: TLSCipherSuite, readSecret: [UInt8], writeSecret: [UInt8], writeSequence: UInt64) {
        guard let read = TLSTrafficKeys(suite: suite, secret: readSecret, sequence: 0, encrypt: false) else { return nil }
        guard let write = TLSTrafficKeys(suite: suite, secret: writeSecret, sequence: writeSequence, encrypt: true) else {
            read.free()
            return nil
        }
        self.init(suite: suite, read: read, write: write)
    }

    /// A TLS 1.2 server session's keys, from its key block (`suite.keyBlockLength` bytes:
    /// the client's and the server's write keys, then their IVs). The sequences: records each
    /// way under these keys already (the Finished messages).
    convenience init?(suite: TLSCipherSuite, keyBlock: UnsafeRawBufferPointer, readSequence: UInt64, writeSequence: UInt64) {
        guard suite.version == .tls12, keyBlock.count == suite.keyBlockLength else { return nil }
        func keys(client: Bool, sequence: UInt64, encrypt: Bool) -> TLSTrafficKeys? {
            let key = keyBlock.baseAddress!.assumingMemoryBound(to: UInt8.self) + (client ? 0 : suite.keyLength)
            let ivStart = 2 * suite.keyLength + (client ? 0 : suite.fixedIVLength)
            let iv = UnsafeRawBufferPointer(rebasing: keyBlock[ivStart..<(ivStart + suite.fixedIVLength)])
            return TLSTrafficKeys(aead: suite.aead, key: key, iv: iv, sequence: sequence, encrypt: encrypt)
        }
        guard let read = keys(client: true, sequence: readSequence, encrypt: false) else { return nil }
        guard let write = keys(client: false, sequence: writeSequence, encrypt: true) else {
            read.free()
            return nil
        }
        self.init(suite: suite, read: read, write: write)
    }

    deinit {
        read.free()
        write.free()
    }

    /// The next record numbers each way (for tests).
    var sequences: (read: UInt64, write: UInt64) { (read.sequence, write.sequence) }

    /// Ciphertext the socket received: whole records are opened and their application data
    /// appended to `plaintext`; a record's start is kept until the rest of it comes. What the
    /// records ask for (a KeyUpdate of ours, a fatal alert) goes to `output`.
    func receive(_ ciphertext: UnsafeRawBufferPointer, into plaintext: inout [UInt8], output: inout SendQueue, pool: ChunkPool) -> TLSStream.State {
        var rest = ciphertext
        while !rest.isEmpty && state == .established {
            if partial.isEmpty {
                guard rest.count >= Self.headerLength, let length = bodyLength(rest.baseAddress!, output: &output, pool: pool) else {
                    if state == .established { keepPartial(rest) }
                    break
                }
                let end = Self.headerLength + length
                guard rest.count >= end else {
                    keepPartial(rest)
                    break
                }
                open(UnsafeRawBufferPointer(rebasing: rest[..<end]), into: &plaintext, output: &output, pool: pool)
                rest = UnsafeRawBufferPointer(rebasing: rest[end...])
                continue
            }
            var wanted = Self.headerLength - partial.count
            if wanted <= 0 {
                guard let length = partial.withUnsafeBytes({ bodyLength($0.baseAddress!, output: &output, pool: pool) }) else { break }
                wanted = Self.headerLength + length - partial.count
            }
            let taken = min(wanted, rest.count)
            partial.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[..<taken]))
            rest = UnsafeRawBufferPointer(rebasing: rest[taken...])
            if partial.count >= Self.headerLength,
               let length = partial.withUnsafeBytes({ bodyLength($0.baseAddress!, output: &output, pool: pool) }),
               partial.count == Self.headerLength + length {
                let record = partial
                partial = []
                record.withUnsafeBytes { open($0, into: &plaintext, output: &output, pool: pool) }
            }
        }
        return state
    }

    /// Seals `plaintext` as application data, in records of up to 16 KB, into `output`.
    /// False when the session is closed or failed.
    @discardableResult
    func send(_ plaintext: UnsafeRawBufferPointer, output: inout SendQueue, pool: ChunkPool) -> Bool {
        var rest = plaintext
        while !rest.isEmpty && state == .established {
            let piece = min(rest.count, Self.maxPlaintext)
            seal(.applicationData, UnsafeRawBufferPointer(rebasing: rest[..<piece]), output: &output, pool: pool)
            rest = UnsafeRawBufferPointer(rebasing: rest[piece...])
        }
        return state == .established
    }

    /// Seals close_notify into `output`; nothing more is sent or read.
    func close(output: inout SendQueue, pool: ChunkPool) {
        guard state == .established else { return }
        sendAlert(.closeNotify, output: &output, pool: pool)
        state = .closed
    }

    private func keepPartial(_ bytes: UnsafeRawBufferPointer) {
        partial.reserveCapacity(Self.headerLength + Self.maxCiphertext)
        partial.append(contentsOf: bytes)
    }

    /// The body length a record header announces; nil (and the session failed) when it is
    /// longer than a peer may send.
    private func bodyLength(_ header: UnsafeRawPointer, output: inout SendQueue, pool: ChunkPool) -> Int? {
        let length = Int(header.load(fromByteOffset: 3, as: UInt8.self)) << 8 | Int(header.load(fromByteOffset: 4, as: UInt8.self))
        guard length <= Self.maxCiphertext else {
            fail(.recordOverflow, "record of \(length) bytes", output: &output, pool: pool)
            return nil
        }
        return length
    }

    /// One whole record (header and body).
    private func open(_ record: UnsafeRawBufferPointer, into plaintext: inout [UInt8], output: inout SendQueue, pool: ChunkPool) {
        switch suite.version {
        case .tls13: openTLS13(record, into: &plaintext, output: &output, pool: pool)
        case .tls12: openTLS12(record, into: &plaintext, output: &output, pool: pool)
        }
    }

    private func openTLS13(_ record: UnsafeRawBufferPointer, into plaintext: inout [UInt8], output: inout SendQueue, pool: ChunkPool) {
        guard record[0] == ContentType.applicationData.rawValue else {
            // After the handshake every record is protected: a change_cipher_spec or a
            // plaintext alert or handshake message is out of place.
            return fail(.unexpectedMessage, "unprotected record of type \(record[0])", output: &output, pool: pool)
        }
        let body = UnsafeRawBufferPointer(rebasing: record[Self.headerLength...])
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.maxCiphertext) { scratch in
            let cipher = read.cipher
            let opened = read.withNextNonce { nonce in
                copenssl_aead_open(cipher, nonce, record.baseAddress!.assumingMemoryBound(to: UInt8.self), Self.headerLength,
                                   body.baseAddress?.assumingMemoryBound(to: UInt8.self), body.count, scratch.baseAddress)
            }
            guard opened >= 0 else { return fail(.badRecordMAC, "record does not authenticate", output: &output, pool: pool) }
            // The inner plaintext: content, then its type, then zero padding.
            var end = Int(opened)
            while end > 0 && scratch[end - 1] == 0 { end -= 1 }
            guard end > 0, let type = ContentType(rawValue: scratch[end - 1]) else {
                return fail(.unexpectedMessage, "record of no known content type", output: &output, pool: pool)
            }
            received(type, UnsafeRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(scratch)[..<(end - 1)]),
                     into: &plaintext, output: &output, pool: pool)
        }
    }

    /// TLS 1.2: the type is the header's; GCM's body starts with its explicit nonce.
    private func openTLS12(_ record: UnsafeRawBufferPointer, into plaintext: inout [UInt8], output: inout SendQueue, pool: ChunkPool) {
        guard let type = ContentType(rawValue: record[0]), type != .changeCipherSpec else {
            return fail(.unexpectedMessage, "record of type \(record[0]) after the handshake", output: &output, pool: pool)
        }
        let explicit = suite.explicitNonceLength
        guard record.count >= Self.headerLength + explicit + TLSTrafficKeys.tagLength else {
            return fail(.badRecordMAC, "record of \(record.count - Self.headerLength) bytes", output: &output, pool: pool)
        }
        let body = UnsafeRawBufferPointer(rebasing: record[(Self.headerLength + explicit)...])
        let length = body.count - TLSTrafficKeys.tagLength
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.maxCiphertext) { scratch in
            let cipher = read.cipher
            let opened = Self.withAdditionalData(sequence: read.sequence, type: type, length: length) { aad in
                read.withNextNonce(explicit: explicit > 0 ? UnsafeRawBufferPointer(rebasing: record[Self.headerLength...]) : nil) { nonce in
                    copenssl_aead_open(cipher, nonce, aad.baseAddress!.assumingMemoryBound(to: UInt8.self), aad.count,
                                       body.baseAddress?.assumingMemoryBound(to: UInt8.self), body.count, scratch.baseAddress)
                }
            }
            guard opened >= 0 else { return fail(.badRecordMAC, "record does not authenticate", output: &output, pool: pool) }
            received(type, UnsafeRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(scratch)[..<Int(opened)]),
                     into: &plaintext, output: &output, pool: pool)
        }
    }

    /// TLS 1.2's additional data (RFC 5246 §6.2.3.3): the record's sequence number, type,
    /// version and plaintext length.
    private static func withAdditionalData<Result>(sequence: UInt64, type: ContentType, length: Int,
                                                   _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 13) { aad in
            for index in 0..<8 { aad[index] = UInt8(truncatingIfNeeded: sequence >> (56 - 8 * index)) }
            aad[8] = type.rawValue
            aad[9] = 3
            aad[10] = 3
            aad[11] = UInt8(length >> 8)
            aad[12] = UInt8(length & 0xff)
            return body(UnsafeRawBufferPointer(aad))
        }
    }

    /// An opened record's content.
    private func received(_ type: ContentType, _ content: UnsafeRawBufferPointer, into plaintext: inout [UInt8],
                          output: inout SendQueue, pool: ChunkPool) {
        guard content.count <= Self.maxPlaintext else {
            return fail(.recordOverflow, "plaintext of \(content.count) bytes", output: &output, pool: pool)
        }
        switch type {
        case .applicationData:
            plaintext.append(contentsOf: content)
        case .alert:
            receivedAlert(content, output: &output, pool: pool)
        case .handshake where suite.version == .tls12:
            // A ClientHello, asking to renegotiate (which pushpind's contexts refuse).
            fail(.unexpectedMessage, "a handshake message after the TLS 1.2 handshake", output: &output, pool: pool)
        case .handshake:
            receivedHandshake(content, output: &output, pool: pool)
        case .changeCipherSpec:
            fail(.unexpectedMessage, "change_cipher_spec after the handshake", output: &output, pool: pool)
        }
    }

    private func receivedAlert(_ content: UnsafeRawBufferPointer, output: inout SendQueue, pool: ChunkPool) {
        guard content.count == 2 else { return fail(.decodeError, "alert of \(content.count) bytes", output: &output, pool: pool) }
        if content[1] == AlertDescription.closeNotify.rawValue {
            state = .closed
        } else {
            state = .failed(TLSError(stage: .session, reason: "alert \(content[1]) from the peer"))
        }
    }

    /// After the handshake a client may only send KeyUpdate (pushpind asks for no
    /// post-handshake authentication). It must end its record (RFC 8446 §5.1).
    private func receivedHandshake(_ content: UnsafeRawBufferPointer, output: inout SendQueue, pool: ChunkPool) {
        guard content.count == 5, content[0] == Self.keyUpdate, content[1] == 0, content[2] == 0, content[3] == 1 else {
            let type = content.isEmpty ? "an empty" : "a type \(content[0])"
            return fail(.unexpectedMessage, "\(type) handshake message after the handshake", output: &output, pool: pool)
        }
        let requested = content[4]
        guard requested <= 1 else { return fail(.decodeError, "KeyUpdate request \(requested)", output: &output, pool: pool) }
        guard read.update(suite: suite) else { return fail(.internalError, "key update failed", output: &output, pool: pool) }
        guard requested == 1 else { return }
        // Our own KeyUpdate, not requesting one back, under the old key; then the new key.
        let message: [UInt8] = [Self.keyUpdate, 0, 0, 1, 0]
        message.withUnsafeBytes { seal(.handshake, $0, output: &output, pool: pool) }
        guard state == .established else { return }
        if !write.update(suite: suite) { fail(.internalError, "key update failed", output: &output, pool: pool) }
    }

    private func sendAlert(_ description: AlertDescription, output: inout SendQueue, pool: ChunkPool) {
        let level: UInt8 = description == .closeNotify ? 1 : 2
        let alert: [UInt8] = [level, description.rawValue]
        alert.withUnsafeBytes { seal(.alert, $0, output: &output, pool: pool) }
    }

    /// The session fails with `description` sent as a fatal alert.
    private func fail(_ description: AlertDescription, _ reason: String, output: inout SendQueue, pool: ChunkPool) {
        guard state == .established else { return }
        sendAlert(description, output: &output, pool: pool)
        state = .failed(TLSError(stage: .session, reason: reason))
    }

    /// One record of `type` around `content` (at most 16 KB).
    /// Internal for tests, which forge what a peer may not send.
    func seal(_ type: ContentType, _ content: UnsafeRawBufferPointer, output: inout SendQueue, pool: ChunkPool) {
        let tls13 = suite.version == .tls13
        let explicit = suite.explicitNonceLength
        let length = explicit + content.count + (tls13 ? 1 : 0) + TLSTrafficKeys.tagLength
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.headerLength + Self.maxSealed) { scratch in
            let record = scratch.baseAddress!
            // TLS 1.3 hides the type inside; TLS 1.2 shows it.
            record[0] = tls13 ? ContentType.applicationData.rawValue : type.rawValue
            record[1] = 3
            record[2] = 3
            record[3] = UInt8(length >> 8)
            record[4] = UInt8(length & 0xff)
            let cipher = write.cipher
            let plaintext = content.baseAddress?.assumingMemoryBound(to: UInt8.self)
            let sealed: Int32
            if tls13 {
                var innerType = type.rawValue
                sealed = write.withNextNonce { nonce in
                    copenssl_aead_seal(cipher, nonce, record, Self.headerLength, plaintext, content.count, &innerType, record + Self.headerLength)
                }
            } else {
                sealed = Self.withAdditionalData(sequence: write.sequence, type: type, length: content.count) { aad in
                    write.withNextNonce { nonce in
                        // GCM's explicit nonce: the sequence number, as OpenSSL sends it.
                        (record + Self.headerLength).update(from: nonce + TLSTrafficKeys.ivLength - explicit, count: explicit)
                        return copenssl_aead_seal(cipher, nonce, aad.baseAddress!.assumingMemoryBound(to: UInt8.self), aad.count,
                                                  plaintext, content.count, nil, record + Self.headerLength + explicit)
                    }
                }
            }
            guard sealed == 1 else {
                state = .failed(TLSError.drainingQueue(.session, fallback: "sealing a record failed"))
                return
            }
            output.append(UnsafeRawBufferPointer(start: record, count: Self.headerLength + length), pool: pool)
        }
    }
}
