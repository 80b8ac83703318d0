import SeededRandom
import Testing
import Wire

/// Seeded mutation fuzzing of the parsers and the body decoder, driven the way
/// a shard drives them: an accumulating buffer, heads then bodies, pipelined.
///
/// Beyond "never traps, always terminates" it checks that the outcome does not
/// depend on how the bytes were split into reads: the transcript of a random
/// split must equal the transcript of one big read.
@Suite("HTTP fuzz")
struct HTTPFuzzTests {
    static let seed: UInt64 = 0x9E11_D00D_2024_0001

    static let requestCorpus: [String] = [
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "POST /submit?x=1 HTTP/1.1\r\nHost: example.com\r\nContent-Length: 11\r\n\r\nhello world"
            + "GET /next HTTP/1.1\r\nHost: example.com\r\n\r\n",
        "PUT /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n"
            + "5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nTrailer-A: x\r\n\r\n\r\nDELETE /d HTTP/1.1\r\n\r\n",
        "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        "GET http://origin.example:8080/p?q=%20 HTTP/1.0\r\nConnection: keep-alive\r\nAccept: */*\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc"
            + "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n",
    ]

    static let responseCorpus: [String] = [
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nGrip-Hold: stream\r\n\r\n"
            + "3\r\nabc\r\n0\r\nX-T: 1\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\nETag: \"x\"\r\n\r\n",
        "HTTP/1.0 200\r\nServer: old\r\n\r\nbody until the connection closes",
    ]

    /// What a simulated connection observed, in order.
    enum Event: Equatable {
        case request(HTTPRequestHead)
        case response(HTTPResponseHead)
        case error(HTTPParseError)
        case body([UInt8])
        case truncatedBody(Int)
        case leftoverAtEOF(Int)
    }

    /// A connection's read side: accumulate, parse a head, decode its body, repeat.
    struct Connection {
        enum Phase { case head, body(BodyDecoder), dead }

        let parsesResponses: Bool
        var requestParser = HTTPRequestParser(maxHeadBytes: 512, maxHeaders: 8)
        var responseParser = HTTPResponseParser(maxHeadBytes: 512, maxHeaders: 8)
        var buffer: [UInt8] = []
        var phase = Phase.head
        var body: [UInt8] = []
        var events: [Event] = []
        var steps = 0
        var stepLimit = 0

        init(parsesResponses: Bool) {
            self.parsesResponses = parsesResponses
        }

        mutating func receive(_ bytes: [UInt8]) {
            buffer += bytes
            stepLimit += 4 * bytes.count + 8
            process()
        }

        mutating func closeByPeer() {
            switch phase {
            case .head:
                if !buffer.isEmpty { events.append(.leftoverAtEOF(buffer.count)) }
            case .body(var decoder):
                events.append(decoder.finishAtEOF() ? .body(body) : .truncatedBody(body.count))
            case .dead:
                break
            }
            phase = .dead
        }

        private mutating func process() {
            while true {
                steps += 1
                if steps > stepLimit {
                    Issue.record("no progress after \(steps) steps")
                    phase = .dead
                }
                switch phase {
                case .dead:
                    return
                case .head:
                    guard !buffer.isEmpty, let framing = parseHead() else { return }
                    phase = .body(BodyDecoder(framing: framing))
                    body = []
                case .body(var decoder):
                    if decoder.isComplete {
                        events.append(.body(body))
                        phase = .head
                        continue
                    }
                    guard !buffer.isEmpty else { return }
                    let available = buffer.count
                    do {
                        let used = try HTTPTestSupport.feed(&decoder, buffer) { body.append(contentsOf: $0) }
                        #expect(used >= 0 && used <= available)
                        buffer.removeFirst(min(max(used, 0), available))
                        phase = .body(decoder)
                        if used == available && !decoder.isComplete { return }
                    } catch {
                        events.append(.error(error))
                        phase = .dead
                    }
                }
            }
        }

        /// Parses a head from the buffer; on success drops its bytes and returns
        /// the body framing. Nil when more bytes are needed or the connection died.
        private mutating func parseHead() -> BodyFraming? {
            let available = buffer.count
            let consumed: Int
            let framing: Result<BodyFraming, HTTPParseError>
            if parsesResponses {
                let result = buffer.withUnsafeBytes { responseParser.parse($0) }
                switch result {
                case .incomplete: return nil
                case .failure(let error): return fail(error)
                case .complete(let head, let used):
                    events.append(.response(head))
                    consumed = used
                    framing = Result { () throws(HTTPParseError) in try head.bodyFraming(requestMethod: "GET") }
                    responseParser.reset()
                }
            } else {
                let result = buffer.withUnsafeBytes { requestParser.parse($0) }
                switch result {
                case .incomplete: return nil
                case .failure(let error): return fail(error)
                case .complete(let head, let used):
                    events.append(.request(head))
                    consumed = used
                    framing = Result { () throws(HTTPParseError) in try head.bodyFraming() }
                    requestParser.reset()
                }
            }
            #expect(consumed > 0 && consumed <= available)
            buffer.removeFirst(min(max(consumed, 0), available))
            switch framing {
            case .success(let framing): return framing
            case .failure(let error): return fail(error)
            }
        }

        private mutating func fail(_ error: HTTPParseError) -> BodyFraming? {
            events.append(.error(error))
            phase = .dead
            return nil
        }
    }

    /// Feeds `input` in the given pieces, then closes.
    static func transcript(_ pieces: [[UInt8]], responses: Bool) -> [Event] {
        var connection = Connection(parsesResponses: responses)
        for piece in pieces { connection.receive(piece) }
        connection.closeByPeer()
        return connection.events
    }

    static let interestingBytes: [UInt8] = Array("\r\n \t:;,0179afAF-=\"/?\u{0}\u{7F}".utf8) + [0x80, 0xE9, 0xFF]

    static func mutate(_ input: [UInt8], _ random: inout SeededRandom) -> [UInt8] {
        var bytes = input
        // Mostly a single mutation, so more inputs get past the head into bodies.
        let mutations = random.below(3) == 0 ? 2 + random.below(3) : 1
        for _ in 0..<mutations {
            let position = bytes.isEmpty ? 0 : random.below(bytes.count)
            switch random.below(8) {
            case 0 where !bytes.isEmpty:
                bytes[position] ^= UInt8(1) << UInt8(random.below(8))
            case 1 where !bytes.isEmpty:
                bytes[position] = interestingBytes[random.below(interestingBytes.count)]
            case 2:
                bytes.insert(interestingBytes[random.below(interestingBytes.count)], at: position)
            case 3:
                bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: position)
            case 4 where !bytes.isEmpty:
                bytes.removeSubrange(position..<min(bytes.count, position + 1 + random.below(4)))
            case 5:
                bytes.removeSubrange(position..<bytes.count)
            case 6 where !bytes.isEmpty:
                let end = min(bytes.count, position + 1 + random.below(16))
                bytes.insert(contentsOf: bytes[position..<end], at: random.below(bytes.count + 1))
            case 7 where !bytes.isEmpty:
                // A slice repeated many times: reaches the size and field-count limits.
                let end = min(bytes.count, position + 1 + random.below(24))
                let run = Array(repeating: bytes[position..<end], count: 1 + random.below(60)).flatMap { $0 }
                bytes.insert(contentsOf: run, at: end)
            default:
                break
            }
        }
        return bytes
    }

    static func randomPieces(_ input: [UInt8], _ random: inout SeededRandom) -> [[UInt8]] {
        if input.isEmpty { return [input] }
        if random.below(16) == 0 { return input.map { [$0] } }
        let cuts = (0..<random.below(8)).map { _ in random.below(input.count + 1) }.sorted()
        return HTTPTestSupport.split(input, at: cuts)
    }

    static func fuzz(corpus: [String], responses: Bool, iterations: Int, seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let samples = corpus.map { Array($0.utf8) }
        var failures = 0
        for iteration in 0..<iterations {
            let input = mutate(samples[random.below(samples.count)], &random)
            let whole = transcript([input], responses: responses)
            let split = transcript(randomPieces(input, &random), responses: responses)
            if whole != split {
                failures += 1
                if failures <= 3 {
                    Issue.record("""
                        seed 0x\(String(seed, radix: 16)) iteration \(iteration): split changed the outcome
                        input: \(String(decoding: input, as: UTF8.self).debugDescription)
                        whole: \(whole)
                        split: \(split)
                        """)
                }
            }
        }
        #expect(failures == 0, "\(failures) of \(iterations) inputs depended on how they were split")
    }

    @Test func mutatedRequestsNeverTrapAndDoNotDependOnSplits() {
        print("HTTPFuzzTests requests seed: 0x\(String(Self.seed, radix: 16))")
        Self.fuzz(corpus: Self.requestCorpus, responses: false, iterations: 20_000, seed: Self.seed)
    }

    @Test func mutatedResponsesNeverTrapAndDoNotDependOnSplits() {
        let seed = Self.seed &+ 1
        print("HTTPFuzzTests responses seed: 0x\(String(seed, radix: 16))")
        Self.fuzz(corpus: Self.responseCorpus, responses: true, iterations: 20_000, seed: seed)
    }

    @Test func unmutatedCorpusParsesCleanly() {
        for text in Self.requestCorpus {
            let events = Self.transcript([Array(text.utf8)], responses: false)
            #expect(!events.contains { if case .error = $0 { return true } else { return false } }, "\(events)")
            #expect(!events.contains { if case .leftoverAtEOF = $0 { return true } else { return false } })
        }
        for text in Self.responseCorpus {
            let events = Self.transcript([Array(text.utf8)], responses: true)
            #expect(!events.contains { if case .error = $0 { return true } else { return false } }, "\(events)")
        }
    }
}
