import COpenSSL
@testable import Shard
import Testing

/// A TLS 1.3 or 1.2 server session handed over to `TLSRecordLayer` after its handshake,
/// against a real OpenSSL client session in memory (`TLSStreamTests.Pair`).
@Suite struct TLSRecordLayerTests {
    typealias Pair = TLSStreamTests.Pair

    static func connect(_ server: TLSContext, client: TLSContext? = nil, piece: Int = .max) throws -> Pair {
        try TLSStreamTests.connect(server, client: client, piece: piece)
    }

    static func clientContext(suites: String? = nil, maxVersion: Int32 = TLS1_3_VERSION) throws -> TLSContext {
        let context = try TLSContext.client()
        if let suites { #expect(SSL_CTX_set_ciphersuites(context.pointer, suites) == 1) }
        #expect(copenssl_ctx_set_protocol_range(context.pointer, TLS1_2_VERSION, maxVersion) == 1)
        return context
    }

    @Test(arguments: [Int.max, 1, 7, 1000])
    func dataFlowsBothWaysAfterTheHandover(piece: Int) throws {
        try TLSStreamTests.withServer { server in
            var pair = try Self.connect(server, piece: piece)
            let records = try #require(pair.server.records)
            // The session tickets went out under the server's application key before the handover.
            #expect(records.sequences == (read: 0, write: 2))
            #expect(pair.server.negotiatedProtocol == "http/1.1")
            #expect(pair.server.serverName == "example.test")
            #expect(pair.server.resumed == false)

            pair.exchangeRequestAndResponse(piece: piece)
            #expect(records.sequences == (read: 1, write: 5))
        }
    }

    @Test func severalRecordsInOneReadAndARequestBehindTheClientsFinished() throws {
        try TLSStreamTests.withServer { server in
            var pair = try Pair(client: TLSStream(context: TLSContext.client(), role: .client(serverName: "example.test")),
                                server: TLSStream(context: server, role: .server))
            pair.startClient()
            // Written during the handshake: the client sends it right behind its Finished,
            // in the same read as the handshake's end.
            _ = pair.clientSends(Array("first".utf8))
            pair.pump()
            #expect(pair.server.records != nil)
            #expect(pair.serverReceived == Array("first".utf8))
            for word in ["second", "third", "fourth"] { _ = pair.clientSends(Array(word.utf8)) }
            let bytes = Pair.take(&pair.toServer, pool: pair.pool)
            #expect(bytes.count == 3 * (5 + 6 + 1 + 16) - 1)  // three records, one read
            pair.deliver(bytes, piece: .max, toServer: true)
            #expect(pair.serverReceived == Array("firstsecondthirdfourth".utf8))
        }
    }

    @Test(arguments: [("TLS_AES_128_GCM_SHA256", UInt16(0x1301)), ("TLS_AES_256_GCM_SHA384", 0x1302),
                      ("TLS_CHACHA20_POLY1305_SHA256", 0x1303)])
    func eachCipherSuite(name: String, number: UInt16) throws {
        try TLSStreamTests.withServer { server in
            var pair = try Self.connect(server, client: Self.clientContext(suites: name))
            let records = try #require(pair.server.records)
            #expect(records.suite.number == number)
            _ = pair.clientSends(Array("ping".utf8))
            _ = pair.serverSends([UInt8](repeating: 0x62, count: 20_000))
            pair.pump(piece: 333)
            #expect(pair.serverReceived == Array("ping".utf8))
            #expect(pair.clientReceived == [UInt8](repeating: 0x62, count: 20_000))
        }
    }

    /// TLS 1.2's AEAD suites, as the client asks for them (the test certificate is P-256).
    static let tls12Suites: [(String, UInt16)] = [
        ("ECDHE-ECDSA-AES128-GCM-SHA256", 0xC02B), ("ECDHE-ECDSA-AES256-GCM-SHA384", 0xC02C),
        ("ECDHE-ECDSA-CHACHA20-POLY1305", 0xCCA9),
    ]

    static func tls12Client(cipher: String? = nil) throws -> TLSContext {
        let context = try clientContext(maxVersion: TLS1_2_VERSION)
        if let cipher { #expect(SSL_CTX_set_cipher_list(context.pointer, cipher) == 1) }
        return context
    }

    /// Each side has sent one record under the new keys (its Finished) when the handover
    /// comes: the sequences go on from what OpenSSL counted.
    @Test(arguments: tls12Suites, [Int.max, 1, 333])
    func tls12SessionsAreHandedOver(suite: (name: String, number: UInt16), piece: Int) throws {
        try TLSStreamTests.withServer { server in
            var pair = try Self.connect(server, client: Self.tls12Client(cipher: suite.name), piece: piece)
            #expect(pair.server.state == .established)
            let records = try #require(pair.server.records)
            #expect(records.suite.number == suite.number)
            #expect(records.sequences == (read: 1, write: 1))
            #expect(pair.server.negotiatedProtocol == "http/1.1")
            #expect(pair.server.serverName == "example.test")
            #expect(pair.server.resumed == false)

            pair.exchangeRequestAndResponse(piece: piece)
            #expect(records.sequences == (read: 2, write: 4))

            for word in ["second", "third", "fourth"] { _ = pair.clientSends(Array(word.utf8)) }
            pair.deliver(Pair.take(&pair.toServer, pool: pair.pool), piece: .max, toServer: true)  // three records, one read
            #expect(pair.serverReceived == Array("GET / HTTP/1.1\r\nHost: example.test\r\n\r\nsecondthirdfourth".utf8))
            #expect(pair.server.state == .established)
        }
    }

    /// An abbreviated handshake (a ticket): the server's Finished goes out first, then the
    /// client's comes; still one record each way.
    @Test(arguments: tls12Suites)
    func aResumedTLS12SessionIsHandedOverToo(suite: (name: String, number: UInt16)) throws {
        try TLSStreamTests.withServer { server in
            let client = try Self.tls12Client(cipher: suite.name)
            let initial = try Self.connect(server, client: client)
            defer { withExtendedLifetime(initial) {} }
            #expect(initial.server.records != nil)
            let session = try #require(initial.client.session)
            var pair = try Pair(client: TLSStream(context: client, role: .client(serverName: "example.test")),
                                server: TLSStream(context: server, role: .server))
            pair.client.resume(session)
            pair.startClient()
            pair.pump(piece: 7)
            #expect(pair.server.resumed)
            let records = try #require(pair.server.records)
            #expect(records.suite.number == suite.number)
            #expect(records.sequences == (read: 1, write: 1))
            _ = pair.clientSends(Array("ping".utf8))
            _ = pair.serverSends([UInt8](repeating: 0x62, count: 20_000))
            pair.pump(piece: 7)
            #expect(pair.serverReceived == Array("ping".utf8))
            #expect(pair.clientReceived == [UInt8](repeating: 0x62, count: 20_000))
        }
    }

    /// pushpind's contexts refuse renegotiation; a client that asks anyway (its ClientHello
    /// under the session's keys) fails the session, with an alert.
    @Test func aTLS12RenegotiationFailsTheSession() throws {
        try TLSStreamTests.withServer { server in
            var pair = try Self.connect(server, client: Self.tls12Client())
            #expect(pair.server.records != nil)
            SSL_clear_options(pair.client.handle, COPENSSL_OP_NO_RENEGOTIATION)
            #expect(SSL_renegotiate(pair.client.handle) == 1)
            _ = pair.clientSends(Array("ping".utf8))  // the ClientHello goes out first
            pair.pump()
            guard case .failed(let error) = pair.server.state else {
                Issue.record("state \(pair.server.state)")
                return
            }
            #expect(error.stage == .session)
            #expect(pair.client.state != .established)
        }
    }

    /// A resumed handshake sends one ticket fewer or more than a full one: the count comes
    /// from what OpenSSL wrote, not from a guess.
    @Test func aResumedSessionIsHandedOverToo() throws {
        try TLSStreamTests.withServer { server in
            let client = try TLSContext.client()
            let initial = try Self.connect(server, client: client)
            defer { withExtendedLifetime(initial) {} }
            #expect(initial.server.records != nil)
            let session = try #require(initial.client.session)  // a ticket sealed before the handover
            var pair = try Pair(client: TLSStream(context: client, role: .client(serverName: "example.test")),
                                server: TLSStream(context: server, role: .server))
            pair.client.resume(session)
            pair.startClient()
            pair.pump()
            #expect(pair.server.resumed)
            #expect(pair.server.records != nil)
            _ = pair.clientSends(Array("ping".utf8))
            _ = pair.serverSends(Array("pong".utf8))
            pair.pump()
            #expect(pair.serverReceived == Array("ping".utf8))
            #expect(pair.clientReceived == Array("pong".utf8))
        }
    }

    @Test(arguments: [false, true])
    func aClientKeyUpdate(requested: Bool) throws {
        try TLSStreamTests.withServer { server in
            var pair = try Self.connect(server)
            let records = try #require(pair.server.records)
            _ = pair.clientSends(Array("before".utf8))
            pair.pump()
            #expect(SSL_key_update(pair.client.handle, requested ? SSL_KEY_UPDATE_REQUESTED : SSL_KEY_UPDATE_NOT_REQUESTED) == 1)
            // OpenSSL sends the KeyUpdate ahead of the next data, then uses its new key.
            _ = pair.clientSends(Array("after".utf8))
            pair.pump()
            #expect(pair.serverReceived == Array("beforeafter".utf8))
            #expect(records.sequences.read == 1)
            // Requested: our KeyUpdate went out (sealed with the old key) and the new key
            // seals from 0; the client reads both.
            #expect(records.sequences.write == (requested ? 0 : 2))
            for round in 0..<2 {
                _ = pair.serverSends(Array("reply \(round)".utf8))
                _ = pair.clientSends(Array(" \(round)".utf8))
                pair.pump()
            }
            #expect(pair.server.state == .established)
            #expect(pair.client.state == .established)
            #expect(pair.clientReceived == Array("reply 0reply 1".utf8))
            #expect(pair.serverReceived == Array("beforeafter 0 1".utf8))
        }
    }

    @Test(arguments: [TLS1_3_VERSION, TLS1_2_VERSION])
    func closeNotifyBothWays(version: Int32) throws {
        try TLSStreamTests.withServer { server in
            var pair = try Self.connect(server, client: Self.clientContext(maxVersion: version))
            #expect(pair.server.records != nil)
            pair.closeClient()
            pair.pump()
            #expect(pair.server.state == .closed)

            var other = try Self.connect(server, client: Self.clientContext(maxVersion: version))
            #expect(other.server.records != nil)
            other.server.close(output: &other.toClient, pool: other.pool)
            other.pump()
            #expect(other.server.state == .closed)
            #expect(other.client.state == .closed)
            #expect(other.serverSends(Array("late".utf8)) == false)
        }
    }

    @Test(arguments: [TLS1_3_VERSION, TLS1_2_VERSION])
    func aCorruptedRecordFailsTheSessionWithAnAlert(version: Int32) throws {
        try TLSStreamTests.withServer { server in
            var pair = try Self.connect(server, client: Self.clientContext(maxVersion: version))
            #expect(pair.server.records != nil)
            _ = pair.clientSends(Array("hello".utf8))
            var bytes = Pair.take(&pair.toServer, pool: pair.pool)
            bytes[bytes.count - TLSTrafficKeys.tagLength - 1] ^= 0x01  // the last byte of ciphertext
            pair.deliver(bytes, piece: .max, toServer: true)
            guard case .failed(let error) = pair.server.state else {
                Issue.record("state \(pair.server.state)")
                return
            }
            #expect(error.stage == .session)
            #expect(pair.serverReceived.isEmpty)
            // The fatal alert reaches the client, which fails too.
            pair.pump()
            #expect(pair.client.state != .established)
            #expect(pair.serverSends(Array("late".utf8)) == false)
        }
    }

    @Test(arguments: [
        // A plaintext change_cipher_spec, a plaintext alert, an oversized record header.
        [UInt8]([20, 3, 3, 0, 1, 1]), [21, 3, 3, 0, 2, 2, 40], [23, 3, 3, 0x41, 0x01],
    ], [TLS1_3_VERSION, TLS1_2_VERSION])
    func anUnprotectedOrOversizedRecordFailsTheSession(record: [UInt8], version: Int32) throws {
        try TLSStreamTests.withServer { server in
            var pair = try Self.connect(server, client: Self.clientContext(maxVersion: version))
            #expect(pair.server.records != nil)
            pair.deliver(record, piece: .max, toServer: true)
            guard case .failed = pair.server.state else {
                Issue.record("state \(pair.server.state)")
                return
            }
        }
    }

    /// What an OpenSSL client will not send, forged with a record layer keyed as the client:
    /// a handshake message other than KeyUpdate, a KeyUpdate with a bad request, a
    /// change_cipher_spec inside a record (and, allowed, an empty application data record).
    @Test(arguments: [
        (TLSRecordLayer.ContentType.handshake, [UInt8]([4, 0, 0, 0])),
        (.handshake, [24, 0, 0, 1, 2]),
        (.changeCipherSpec, [1]),
        (.applicationData, []),
    ])
    func aForbiddenMessageAfterTheHandshakeFailsTheSession(type: TLSRecordLayer.ContentType, content: [UInt8]) throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let files = try certificates.make("example", commonName: "example.test")
        let server = try TLSContext.server(certificateFile: files.certificate, keyFile: files.key, ticketKeys: TLSStreamTests.ticketKeys)
        let client = try TLSContext.client()
        copenssl_ctx_log_traffic_secrets(client.pointer)
        var pair = try Pair(client: TLSStream(context: client, role: .client(serverName: "example.test")),
                            server: TLSStream(context: server, role: .server))
        #expect(copenssl_track_handover(pair.client.handle) == 1)
        pair.startClient()
        pair.pump()
        let records = try #require(pair.server.records)
        var caught = copenssl_handover()
        #expect(copenssl_take_handover(pair.client.handle, &caught) == 1)
        let length = records.suite.secretLength
        let forger = try #require(TLSRecordLayer(
            suite: records.suite,
            readSecret: withUnsafeBytes(of: &caught.server_secret) { Array($0.prefix(length)) },
            writeSecret: withUnsafeBytes(of: &caught.client_secret) { Array($0.prefix(length)) },
            writeSequence: 0))
        // The forger's keys are right: its application data is read.
        _ = Array("fine".utf8).withUnsafeBytes { forger.send($0, output: &pair.toServer, pool: pair.pool) }
        content.withUnsafeBytes { forger.seal(type, $0, output: &pair.toServer, pool: pair.pool) }
        pair.deliver(Pair.take(&pair.toServer, pool: pair.pool), piece: .max, toServer: true)
        #expect(pair.serverReceived == Array("fine".utf8))
        if type == .applicationData {
            #expect(pair.server.state == .established)  // an empty application data record is allowed
        } else {
            guard case .failed = pair.server.state else {
                Issue.record("state \(pair.server.state)")
                return
            }
        }
    }
}
