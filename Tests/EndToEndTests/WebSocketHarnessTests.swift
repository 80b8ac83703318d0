import Testing
import Wire

/// Checks the WebSocket harness itself, without pushpind: the hand-written frame encoder
/// against Wire's decoder, and the WOH event codec on known bodies. When these fail, the
/// WebSocket end-to-end failures that follow are the harness's.
extension EndToEnd {
    @Suite struct WebSocketHarnessTests {
        @Test(arguments: [0, 125, 126, 65535, 65536, 70_000])
        func maskedFramesDecodeAsSent(size: Int) throws {
            let payload = ConformancePayload.text(size)
            let bytes = WebSocketFrame.client(WebSocketFrame.Opcode.text, payload).encoded()
            let headerLength = 2 + (size < 126 ? 0 : size <= 0xFFFF ? 2 : 8) + 4
            #expect(bytes.count == headerLength + size)
            var decoder = WebSocketDecoder(requireMask: true, maxMessageBytes: 1 << 20)
            var events: [WebSocketEvent] = []
            try bytes.withUnsafeBytes { raw in try decoder.decode(raw) { events.append($0) } }
            #expect(events == [.text(payload)])
        }

        @Test func fragmentsJoinToTheMessage() throws {
            let payload = ConformancePayload.binary(10_001)
            let frames = ConformancePayload.fragments(WebSocketFrame.Opcode.binary, payload, size: 1000)
            #expect(frames.count == 11)
            #expect(frames.dropLast().allSatisfy { !$0.fin } && frames.last?.fin == true)
            #expect(frames.dropFirst().allSatisfy { $0.opcode == WebSocketFrame.Opcode.continuation })
            var decoder = WebSocketDecoder(requireMask: true, maxMessageBytes: 1 << 20)
            var events: [WebSocketEvent] = []
            let bytes = frames.flatMap { $0.encoded() }
            try bytes.withUnsafeBytes { raw in try decoder.decode(raw) { events.append($0) } }
            #expect(events == [.binary(payload)])
        }

        @Test func reservedBitsAndOpcodesAreEncodedAsAsked() {
            let bytes = WebSocketFrame(fin: false, rsv: 5, opcode: 13, masked: false, payload: [1, 2]).encoded()
            #expect(bytes == [0x5D, 0x02, 1, 2])
            let announced = WebSocketFrame(opcode: 2, payload: [9]).encoded(lengthOverride: 70_000)
            #expect(Array(announced.prefix(10)) == [0x82, 127, 0, 0, 0, 0, 0, 0x01, 0x11, 0x70])
        }

        @Test func eventBodiesRoundTrip() throws {
            let events: [WOHEvent] = [
                .open, .text("hi"), .binary([0, 13, 10, 255]), .ping([]), .pong(Array("p".utf8)),
                .close(code: 4000, reason: Array("bye".utf8)), .close(code: nil, reason: []), .disconnect,
            ]
            let body = WOHEvent.encode(events)
            #expect(try WOHEvent.parse(body) == events)
            let subscribe = #"c:{"type":"subscribe","channel":"room"}"#
            #expect(String(decoding: WOHEvent.encode([.open, .text(subscribe)]), as: UTF8.self)
                    == "OPEN\r\nTEXT 27\r\n\(subscribe)\r\n")
            #expect(try WOHEvent.parse(Array("TEXT 2\r\nhi\r\nPING\r\n".utf8)) == [.text("hi"), .ping([])])
            #expect(throws: HarnessError.self) { try WOHEvent.parse(Array("TEXT 5\r\nhi\r\n".utf8)) }
            #expect(throws: HarnessError.self) { try WOHEvent.parse(Array("HELLO\r\n".utf8)) }
        }
    }
}
