import Foundation
@testable import Shard
import Testing

/// A client session against a server session, wired together in memory: what one sends is
/// what the other receives, in whatever pieces the test chooses.
@Suite struct TLSStreamTests {
    struct Pair {
        let client: TLSStream
        let server: TLSStream
        var clientReceived: [UInt8] = []
        var serverReceived: [UInt8] = []
        /// Ciphertext each side wrote, waiting for the other.
        var toServer = SendQueue()
        var toClient = SendQueue()
        let pool = ChunkPool(chunkSize: 1024, spareMax: 4)

        mutating func startClient() { client.start(output: &toServer, pool: pool) }
        mutating func clientSends(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { client.send($0, output: &toServer, pool: pool) } }
        mutating func serverSends(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { server.send($0, output: &toClient, pool: pool) } }
        mutating func closeClient() { client.close(output: &toServer, pool: pool) }

        /// A request from the client, a 40,000-byte response (three records of at most 16 KB)
        /// from the server, pumped through in pieces of `piece` bytes: each side's received
        /// bytes must be exactly what the other sent.
        mutating func exchangeRequestAndResponse(piece: Int) {
            let request = Array("GET / HTTP/1.1\r\nHost: example.test\r\n\r\n".utf8)
            let response = [UInt8](repeating: 0x61, count: 40_000)
            let received = (server: serverReceived.count, client: clientReceived.count)
            _ = clientSends(request)
            _ = serverSends(response)
            pump(piece: piece)
            #expect(Array(serverReceived[received.server...]) == request)
            #expect(Array(clientReceived[received.client...]) == response)
        }

        /// Moves ciphertext both ways, `piece` bytes at a time, until neither has any (bounded).
        mutating func pump(piece: Int = .max) {
            for _ in 0..<10_000 {
                if !step(piece: piece) { return }
            }
            Issue.record("ciphertext kept flowing")
        }

        /// One exchange of everything waiting; false when nothing was.
        mutating func step(piece: Int = .max) -> Bool {
            let server = Self.take(&toServer, pool: pool)
            let client = Self.take(&toClient, pool: pool)
            if server.isEmpty && client.isEmpty { return false }
            deliver(server, piece: piece, toServer: true)
            deliver(client, piece: piece, toServer: false)
            return true
        }

        mutating func deliver(_ bytes: [UInt8], piece: Int, toServer: Bool) {
            var start = 0
            while start < bytes.count {
                let end = min(start + piece, bytes.count)
                bytes[start..<end].withUnsafeBytes {
                    if toServer {
                        _ = server.receive($0, into: &serverReceived, output: &toClient, pool: pool)
                    } else {
                        _ = client.receive($0, into: &clientReceived, output: &self.toServer, pool: pool)
                    }
                }
                start = end
            }
        }

        static func take(_ queue: inout SendQueue, pool: ChunkPool) -> [UInt8] {
            var bytes: [UInt8] = []
            while let next = queue.nextSend {
                bytes.append(contentsOf: UnsafeRawBufferPointer(start: next.base, count: next.count))
                queue.consume(next.count, pool: pool)
            }
            return bytes
        }
    }

    static let ticketKeys = try! TicketKeys()

    static func withServer(_ body: (TLSContext) throws -> Void) throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let files = try certificates.make("example", commonName: "example.test")
        try body(TLSContext.server(certificateFile: files.certificate, keyFile: files.key, ticketKeys: ticketKeys))
    }

    static func connect(_ server: TLSContext, client: TLSContext? = nil, piece: Int = .max) throws -> Pair {
        let clientContext = try client ?? TLSContext.client()
        var pair = try Pair(client: TLSStream(context: clientContext, role: .client(serverName: "example.test")),
                            server: TLSStream(context: server, role: .server))
        pair.startClient()
        pair.pump(piece: piece)
        return pair
    }

    @Test(arguments: [Int.max, 1, 7, 1000])
    func handshakeThenPlaintextBothWays(piece: Int) throws {
        try Self.withServer { server in
            var pair = try Self.connect(server, piece: piece)
            #expect(pair.client.state == .established)
            #expect(pair.server.state == .established)
            #expect(pair.server.negotiatedProtocol == "http/1.1")
            #expect(pair.client.negotiatedProtocol == "http/1.1")
            #expect(pair.server.serverName == "example.test")

            pair.exchangeRequestAndResponse(piece: piece)
        }
    }

    @Test func plaintextSentDuringTheHandshakeGoesOutAfterIt() throws {
        try Self.withServer { server in
            var pair = try Pair(client: TLSStream(context: TLSContext.client(), role: .client(serverName: "example.test")),
                                server: TLSStream(context: server, role: .server))
            pair.startClient()
            _ = pair.clientSends(Array("early".utf8))
            pair.pump()
            #expect(pair.serverReceived == Array("early".utf8))
        }
    }

    @Test func garbageFailsTheHandshake() throws {
        try Self.withServer { server in
            let session = try TLSStream(context: server, role: .server)
            var plaintext: [UInt8] = []
            var output = SendQueue()
            let pool = ChunkPool(chunkSize: 1024, spareMax: 4)
            let state = Array("GET / HTTP/1.1\r\n\r\n".utf8).withUnsafeBytes { session.receive($0, into: &plaintext, output: &output, pool: pool) }
            guard case .failed(let error) = state else {
                Issue.record("state \(state)")
                return
            }
            #expect(error.stage == .handshake)
            #expect(plaintext.isEmpty)
            // Failed stays failed: nothing more is accepted.
            let accepted = Array("x".utf8).withUnsafeBytes { session.send($0, output: &output, pool: pool) }
            #expect(accepted == false)
        }
    }

    @Test func closeNotifyClosesThePeer() throws {
        try Self.withServer { server in
            var pair = try Self.connect(server)
            pair.closeClient()
            pair.pump()
            #expect(pair.client.state == .closed)
            #expect(pair.server.state == .closed)
        }
    }

    @Test func aSecondConnectionResumesWithATicketOnAnotherContextWithTheSameKeys() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let files = try certificates.make("example", commonName: "example.test")
        // Two shards: separate contexts, the same ticket keys.
        let first = try TLSContext.server(certificateFile: files.certificate, keyFile: files.key, ticketKeys: Self.ticketKeys)
        let second = try TLSContext.server(certificateFile: files.certificate, keyFile: files.key, ticketKeys: Self.ticketKeys)
        let other = try TLSContext.server(certificateFile: files.certificate, keyFile: files.key,
                                          ticketKeys: TicketKeys())
        let client = try TLSContext.client()

        let initial = try Self.connect(first, client: client)
        #expect(initial.client.resumed == false)
        let session = try #require(initial.client.session)

        for (context, resumes) in [(second, true), (other, false)] {
            var pair = try Pair(client: TLSStream(context: client, role: .client(serverName: "example.test")),
                                server: TLSStream(context: context, role: .server))
            pair.client.resume(session)
            pair.startClient()
            pair.pump()
            #expect(pair.server.state == .established)
            #expect(pair.server.resumed == resumes)
            pair.closeClient()
        }
    }

    /// The BIO has no buffer of its own: every call reads only the bytes it is given and
    /// writes only to the queue it is given, so sessions whose calls interleave on one thread
    /// (many connections handshaking at once on one shard) never see each other's bytes.
    @Test func interleavedSessionsKeepTheirOwnBytes() throws {
        try Self.withServer { server in
            var pairs = try (0..<3).map { _ in
                try Pair(client: TLSStream(context: TLSContext.client(), role: .client(serverName: "example.test")),
                         server: TLSStream(context: server, role: .server))
            }
            for index in pairs.indices {
                pairs[index].startClient()
                _ = pairs[index].clientSends(Array("request \(index)".utf8))
            }
            // A few bytes of each pair in turn, so every handshake is half done while the others run.
            for _ in 0..<10_000 {
                var moved = false
                for index in pairs.indices where pairs[index].step(piece: 3) { moved = true }
                if !moved { break }
            }
            for index in pairs.indices {
                _ = pairs[index].serverSends(Array("response \(index)".utf8))
                pairs[index].pump(piece: 5)
                #expect(pairs[index].server.state == .established)
                #expect(pairs[index].serverReceived == Array("request \(index)".utf8))
                #expect(pairs[index].clientReceived == Array("response \(index)".utf8))
            }
        }
    }

    /// A record is sealed straight into the caller's queue, once, in the call that wrote it.
    @Test func sendAppendsItsRecordsToTheGivenQueueAndNowhereElse() throws {
        try Self.withServer { server in
            var pair = try Self.connect(server)
            var elsewhere = SendQueue()
            let plaintext = [UInt8](repeating: 0x62, count: 20_000)  // two records
            let sent = plaintext.withUnsafeBytes { pair.server.send($0, output: &elsewhere, pool: pair.pool) }
            #expect(sent)
            #expect(pair.toClient.isEmpty)
            // Two records: each its plaintext, a 5-byte header, the content type and a 16-byte tag.
            #expect(elsewhere.byteCount == plaintext.count + 2 * (5 + 1 + 16))
            pair.deliver(Pair.take(&elsewhere, pool: pair.pool), piece: .max, toServer: false)
            #expect(pair.clientReceived == plaintext)
            let moreWritten = pair.step()
            #expect(!moreWritten)  // nothing else was written anywhere
        }
    }

    /// Tickets sealed before one rotation still resume (the previous key opens them); after
    /// two, that key is gone and the handshake is a full one.
    @Test func aTicketResumesAfterOneKeyRotationButNotAfterTwo() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let files = try certificates.make("example", commonName: "example.test")
        let keys = try TicketKeys()
        let server = try TLSContext.server(certificateFile: files.certificate, keyFile: files.key, ticketKeys: keys)
        let client = try TLSContext.client()
        // The first connection stays open: a session freed without close_notify is unfit to resume.
        let initial = try Self.connect(server, client: client)
        defer { withExtendedLifetime(initial) {} }
        let session = try #require(initial.client.session)

        func resumes() throws -> Bool {
            var pair = try Pair(client: TLSStream(context: client, role: .client(serverName: "example.test")),
                                server: TLSStream(context: server, role: .server))
            pair.client.resume(session)
            pair.startClient()
            pair.pump()
            #expect(pair.server.state == .established)
            pair.closeClient()  // freed without close_notify, the session would be unfit to resume
            return pair.server.resumed
        }
        #expect(try resumes())
        keys.rotate()
        #expect(try resumes())
        keys.rotate()
        #expect(try resumes() == false)
    }

    /// A ticket opened with the previous key is replaced: the client gets a new one, which
    /// resumes after the next rotation too.
    @Test func aTicketOpenedWithThePreviousKeyIsRenewed() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let files = try certificates.make("example", commonName: "example.test")
        let keys = try TicketKeys()
        let server = try TLSContext.server(certificateFile: files.certificate, keyFile: files.key, ticketKeys: keys)
        let client = try TLSContext.client()
        let initial = try Self.connect(server, client: client)
        defer { withExtendedLifetime(initial) {} }
        let first = try #require(initial.client.session)
        keys.rotate()
        var pair = try Pair(client: TLSStream(context: client, role: .client(serverName: "example.test")),
                            server: TLSStream(context: server, role: .server))
        pair.client.resume(first)
        pair.startClient()
        pair.pump()
        #expect(pair.server.resumed)
        let renewed = try #require(pair.client.session)
        defer { withExtendedLifetime(pair) {} }
        keys.rotate()
        var next = try Pair(client: TLSStream(context: client, role: .client(serverName: "example.test")),
                            server: TLSStream(context: server, role: .server))
        next.client.resume(renewed)
        next.startClient()
        next.pump()
        #expect(next.server.resumed)
    }

    /// Keys rotate on their own once the interval has passed.
    @Test func keysRotateWhenTheIntervalHasPassed() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let files = try certificates.make("example", commonName: "example.test")
        let keys = try TicketKeys(rotationNanos: 1)  // due at every use
        let server = try TLSContext.server(certificateFile: files.certificate, keyFile: files.key, ticketKeys: keys)
        let client = try TLSContext.client()
        let initial = try Self.connect(server, client: client)
        defer { withExtendedLifetime(initial) {} }
        let session = try #require(initial.client.session)
        // Each handshake rotates once before opening the ticket: the first finds its key as
        // the previous one, and the second (two rotations later) does not find it.
        var resumed: [Bool] = []
        for _ in 0..<2 {
            var pair = try Pair(client: TLSStream(context: client, role: .client(serverName: "example.test")),
                                server: TLSStream(context: server, role: .server))
            pair.client.resume(session)
            pair.startClient()
            pair.pump()
            pair.closeClient()
            resumed.append(pair.server.resumed)
        }
        #expect(resumed == [true, false])
    }
}
