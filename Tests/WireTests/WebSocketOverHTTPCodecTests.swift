import SeededRandom
import Testing
@testable import Wire

/// The `application/websocket-events` body codec (websocket-over-http.md §3.2).
@Suite("WebSocket-over-HTTP codec")
struct WebSocketOverHTTPCodecTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    private func encode(_ events: [WebSocketOverHTTPEvent]) -> String {
        String(decoding: WebSocketOverHTTPCodec.encode(events), as: UTF8.self)
    }

    private func decode(_ text: String) -> Result<[WebSocketOverHTTPEvent], WebSocketOverHTTPError> {
        WebSocketOverHTTPCodec.decode(bytes(text))
    }

    private func rejects(_ text: String) -> Bool {
        if case .failure(let error) = decode(text) { return !error.message.isEmpty }
        return false
    }

    // MARK: - Spec examples

    @Test func specRequestExample() {
        #expect(encode([.text(bytes("hi")), .ping([])]) == "TEXT 2\r\nhi\r\nPING\r\n")
        #expect(decode("TEXT 2\r\nhi\r\nPING\r\n") == .success([.text(bytes("hi")), .ping([])]))
    }

    @Test func specOpenResponseExample() {
        let control = #"c:{"type":"subscribe","channel":"room1"}"#
        let body = "OPEN\r\nTEXT 28\r\n\(control)\r\n"
        #expect(decode(body) == .success([.open, .text(bytes(control))]))
        #expect(encode([.open, .text(bytes(control))]) == body)
    }

    // MARK: - Encoding

    @Test func encodingOfEveryType() {
        #expect(encode([.open]) == "OPEN\r\n")
        #expect(encode([.disconnect]) == "DISCONNECT\r\n")
        #expect(encode([.text([])]) == "TEXT 0\r\n\r\n")
        #expect(encode([.binary([0x00, 0x0D, 0x0A])]) == "BINARY 3\r\n\0\r\n\r\n")
        #expect(encode([.ping(bytes("x"))]) == "PING 1\r\nx\r\n")
        #expect(encode([.pong([])]) == "PONG\r\n")
        #expect(encode([.pong(bytes("yz"))]) == "PONG 2\r\nyz\r\n")
        #expect(encode([.close(code: nil, reason: [])]) == "CLOSE\r\n")
        #expect(WebSocketOverHTTPCodec.encode([.close(code: 1000, reason: [])]) == bytes("CLOSE 2\r\n") + [0x03, 0xE8] + bytes("\r\n"))
        #expect(WebSocketOverHTTPCodec.encode([.close(code: 1001, reason: bytes("bye"))])
            == bytes("CLOSE 5\r\n") + [0x03, 0xE9] + bytes("bye\r\n"))
        // A reason without a code cannot be expressed; it is dropped.
        #expect(encode([.close(code: nil, reason: bytes("lost"))]) == "CLOSE\r\n")
        #expect(encode([.text(bytes(String(repeating: "a", count: 300)))]).hasPrefix("TEXT 12c\r\n"))
        #expect(encode([]) == "")
    }

    // MARK: - Decoding

    @Test func emptyBodyHasNoEvents() {
        #expect(WebSocketOverHTTPCodec.decode([]) == .success([]))
    }

    @Test func hexLengthsInEitherCase() {
        let ten = "0123456789"
        #expect(decode("TEXT A\r\n\(ten)\r\n") == .success([.text(bytes(ten))]))
        #expect(decode("TEXT a\r\n\(ten)\r\n") == .success([.text(bytes(ten))]))
        #expect(decode("TEXT 00a\r\n\(ten)\r\n") == .success([.text(bytes(ten))]))
        let long = String(repeating: "z", count: 0xBEF)
        #expect(decode("BINARY bEf\r\n\(long)\r\n") == .success([.binary(bytes(long))]))
    }

    @Test func optionalContent() {
        #expect(decode("TEXT\r\nBINARY\r\nPING\r\nPONG 0\r\n\r\nCLOSE\r\nCLOSE 0\r\n\r\n")
            == .success([.text([]), .binary([]), .ping([]), .pong([]), .close(code: nil, reason: []), .close(code: nil, reason: [])]))
        // Content on OPEN or DISCONNECT carries no meaning and is skipped.
        #expect(decode("OPEN 3\r\nabc\r\nDISCONNECT 1\r\nx\r\n") == .success([.open, .disconnect]))
    }

    @Test func closeContent() {
        let body = bytes("CLOSE 6\r\n") + [0x0F, 0xA0] + bytes("gone\r\n")
        #expect(WebSocketOverHTTPCodec.decode(body) == .success([.close(code: 4000, reason: bytes("gone"))]))
        #expect(WebSocketOverHTTPCodec.decode(bytes("CLOSE 1\r\n") + [0x03] + bytes("\r\n")).isFailure)
        #expect(WebSocketOverHTTPCodec.decode(bytes("CLOSE 3\r\n") + [0x03, 0xE8, 0xFF] + bytes("\r\n")).isFailure)
    }

    @Test func textMustBeUTF8() {
        #expect(WebSocketOverHTTPCodec.decode(bytes("TEXT 2\r\n") + [0xC3, 0x28] + bytes("\r\n")).isFailure)
        #expect(WebSocketOverHTTPCodec.decode(bytes("BINARY 2\r\n") + [0xC3, 0x28] + bytes("\r\n"))
            == .success([.binary([0xC3, 0x28])]))
    }

    @Test(arguments: [
        "FOO\r\n", "text 2\r\nhi\r\n", "Open\r\n", "TEXTS\r\n", " TEXT\r\n", "\r\n", "OPEN\r\n\r\n",
        "OPEN\r\nPING\r\n\r\n", "OPEN\r\nX", "CLOSED\r\n", "OPEN\tx\r\n",
    ])
    func badTypeNamesOrSeparators(body: String) {
        #expect(rejects(body), "\(body.debugDescription)")
    }

    @Test(arguments: [
        "TEXT \r\n\r\n", "TEXT g\r\nhi\r\n", "TEXT 2x\r\nhi\r\n", "TEXT -1\r\nh\r\n", "TEXT +2\r\nhi\r\n",
        "TEXT  2\r\nhi\r\n", "TEXT 2 \r\nhi\r\n", "TEXT 3\r\nhi\r\n", "TEXT 1\r\nhi\r\n",
        "TEXT ffffffffffffffffffff\r\nhi\r\n", "TEXT 10000000000000001\r\nhi\r\n", "TEXT 2\nhi\r\n", "TEXT 2\r\nhi\n",
    ])
    func badLengthsOrFraming(body: String) {
        #expect(rejects(body), "\(body.debugDescription)")
    }

    /// Every prefix of a valid body either ends on an event boundary (and
    /// decodes to the events so far) or is rejected as truncated.
    @Test func truncationAtEveryByte() {
        let events: [WebSocketOverHTTPEvent] = [
            .open, .text(bytes("hello")), .ping([]), .binary([0x0D, 0x0A, 0x00]), .close(code: 1000, reason: bytes("ok")),
            .pong(bytes("p")), .disconnect,
        ]
        var boundaries: [Int: [WebSocketOverHTTPEvent]] = [0: []]
        var body: [UInt8] = []
        for (index, event) in events.enumerated() {
            WebSocketOverHTTPCodec.append(event, to: &body)
            boundaries[body.count] = Array(events[...index])
        }
        for length in 0...body.count {
            let result = WebSocketOverHTTPCodec.decode(Array(body[..<length]))
            if let expected = boundaries[length] {
                #expect(result == .success(expected), "prefix \(length)")
            } else {
                #expect(result.isFailure, "prefix \(length)")
            }
        }
    }

    @Test func roundTripEveryEventType() {
        var random = SeededRandom(seed: 0x0F_0F)
        for round in 0..<200 {
            var events: [WebSocketOverHTTPEvent] = []
            for _ in 0..<random.below(6) {
                let payload = random.bytes([0, 1, 15, 16, 255, 4096][random.below(6)])
                let text = Array(String(decoding: payload.map { 0x20 + $0 % 95 }, as: UTF8.self).utf8)
                switch random.below(7) {
                case 0: events.append(.open)
                case 1: events.append(.text(text))
                case 2: events.append(.binary(payload))
                case 3: events.append(.ping(payload))
                case 4: events.append(.pong(payload))
                case 5: events.append(random.below(3) == 0 ? .close(code: nil, reason: []) : .close(code: UInt16(random.below(5000)), reason: text))
                default: events.append(.disconnect)
                }
            }
            #expect(WebSocketOverHTTPCodec.decode(WebSocketOverHTTPCodec.encode(events)) == .success(events), "round \(round)")
        }
    }
}

extension Result where Success == [WebSocketOverHTTPEvent], Failure == WebSocketOverHTTPError {
    var isFailure: Bool {
        if case .failure = self { return true }
        return false
    }
}
