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

        /// Moves ciphertext both ways, `piece` bytes at a time, until neither has any (bounded).
        mutating func pump(piece: Int = .max) {
            for _ in 0..<10_000 {
                var toServer: [UInt8] = []
                var toClient: [UInt8] = []
                client.takeCiphertext(into: &toServer)
                server.takeCiphertext(into: &toClient)
                if toServer.isEmpty && toClient.isEmpty { return }
                Self.deliver(toServer, piece: piece, to: server, into: &serverReceived)
                Self.deliver(toClient, piece: piece, to: client, into: &clientReceived)
            }
            Issue.record("ciphertext kept flowing")
        }

        static func deliver(_ bytes: [UInt8], piece: Int, to stream: TLSStream, into plaintext: inout [UInt8]) {
            var start = 0
            while start < bytes.count {
                let end = min(start + piece, bytes.count)
                bytes[start..<end].withUnsafeBytes { _ = stream.receive($0, into: &plaintext) }
                start = end
            }
        }
    }

    static let ticketKeys = TLSContext.randomTicketKeys()

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
        pair.client.start()
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

            let request = Array("GET / HTTP/1.1\r\nHost: example.test\r\n\r\n".utf8)
            let response = [UInt8](repeating: 0x61, count: 40_000)  // more than one record
            request.withUnsafeBytes { _ = pair.client.send($0) }
            response.withUnsafeBytes { _ = pair.server.send($0) }
            pair.pump(piece: piece)
            #expect(pair.serverReceived == request)
            #expect(pair.clientReceived == response)
        }
    }

    @Test func plaintextSentDuringTheHandshakeGoesOutAfterIt() throws {
        try Self.withServer { server in
            let client = try TLSStream(context: TLSContext.client(), role: .client(serverName: "example.test"))
            var pair = try Pair(client: client, server: TLSStream(context: server, role: .server))
            client.start()
            Array("early".utf8).withUnsafeBytes { _ = client.send($0) }
            pair.pump()
            #expect(pair.serverReceived == Array("early".utf8))
        }
    }

    @Test func garbageFailsTheHandshake() throws {
        try Self.withServer { server in
            let session = try TLSStream(context: server, role: .server)
            var plaintext: [UInt8] = []
            let state = Array("GET / HTTP/1.1\r\n\r\n".utf8).withUnsafeBytes { session.receive($0, into: &plaintext) }
            guard case .failed(let error) = state else {
                Issue.record("state \(state)")
                return
            }
            #expect(error.stage == .handshake)
            #expect(plaintext.isEmpty)
            // Failed stays failed: nothing more is accepted.
            #expect(Array("x".utf8).withUnsafeBytes { session.send($0) } == false)
        }
    }

    @Test func closeNotifyClosesThePeer() throws {
        try Self.withServer { server in
            var pair = try Self.connect(server)
            pair.client.close()
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
                                          ticketKeys: TLSContext.randomTicketKeys())
        let client = try TLSContext.client()

        let initial = try Self.connect(first, client: client)
        #expect(initial.client.resumed == false)
        let session = try #require(initial.client.session)

        for (context, resumes) in [(second, true), (other, false)] {
            var pair = try Pair(client: TLSStream(context: client, role: .client(serverName: "example.test")),
                                server: TLSStream(context: context, role: .server))
            pair.client.resume(session)
            pair.client.start()
            pair.pump()
            #expect(pair.server.state == .established)
            #expect(pair.server.resumed == resumes)
        }
    }
}
