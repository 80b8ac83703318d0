import LoadDriverCore
import Testing

/// Decodes `bytes` fed in pieces of `size`; messages and control frames as text.
private func decode(_ bytes: [UInt8], every size: Int) throws -> [String] {
    var decoder = WebSocketFrameDecoder()
    var out: [String] = []
    for start in stride(from: 0, to: bytes.count, by: size) {
        let piece = Array(bytes[start..<min(start + size, bytes.count)])
        try piece.withUnsafeBytes { raw in
            try decoder.feed(raw) { event in
                switch event {
                case .message(let opcode, let payload): out.append("\(opcode):\(payload.count):\(String(decoding: payload.prefix(8), as: UTF8.self))")
                case .ping(let payload): out.append("ping:\(String(decoding: payload, as: UTF8.self))")
                case .pong: out.append("pong")
                case .close(let code): out.append("close:\(code.map(String.init) ?? "-")")
                }
            }
        }
    }
    return out
}

@Suite struct WebSocketFrameTests {
    @Test(arguments: [nil, UInt32(0x1234_5678)])
    func lengthsRoundTripMaskedOrNot(mask: UInt32?) throws {
        for length in [0, 5, 125, 126, 65535, 65536, 70000] {
            let payload = (0..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
            var bytes: [UInt8] = []
            WebSocketFrameEncoder.append(opcode: .binary, payload: payload, mask: mask, to: &bytes)
            let prefix = String(decoding: payload.prefix(8), as: UTF8.self)
            #expect(try decode(bytes, every: bytes.count) == ["binary:\(length):\(prefix)"])
            #expect(try decode(bytes, every: 1000) == ["binary:\(length):\(prefix)"])
        }
    }

    @Test func fragmentedMessageWithInterleavedPing() throws {
        var bytes: [UInt8] = []
        WebSocketFrameEncoder.append(opcode: .text, payload: Array("hel".utf8), mask: 7, fin: false, to: &bytes)
        WebSocketFrameEncoder.append(opcode: .ping, payload: Array("x".utf8), mask: 9, to: &bytes)
        WebSocketFrameEncoder.append(opcode: .continuation, payload: Array("lo".utf8), mask: 11, to: &bytes)
        WebSocketFrameEncoder.append(opcode: .pong, payload: [], mask: nil, to: &bytes)
        WebSocketFrameEncoder.append(opcode: .close, payload: [], mask: nil, to: &bytes)
        for size in 1...bytes.count {
            #expect(try decode(bytes, every: size) == ["ping:x", "text:5:hello", "pong", "close:-"], "pieces of \(size)")
        }
    }

    @Test func protocolViolationsThrow() {
        #expect(throws: WebSocketError.reservedBits) { try decode([0xC1, 0x00], every: 2) }
        #expect(throws: WebSocketError.unknownOpcode(3)) { try decode([0x83, 0x00], every: 2) }
        #expect(throws: WebSocketError.badControlFrame) { try decode([0x09, 0x00], every: 2) }
        #expect(throws: WebSocketError.unexpectedContinuation) { try decode([0x80, 0x00], every: 2) }
        #expect(throws: WebSocketError.interleavedMessage) { try decode([0x01, 0x00, 0x01, 0x00], every: 4) }
    }
}
