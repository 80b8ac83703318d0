import SeededRandom
import Testing
@testable import Wire

/// Frame encoding, masking, and encoder ↔ decoder round trips.
@Suite("WebSocket encoder")
struct WebSocketEncoderTests {
    typealias Support = WebSocketTestSupport
    static let key: WebSocketEncoder.MaskKey = (0x37, 0xFA, 0x21, 0x3D)

    @Test func rfcExamples() {
        let hello = Array("Hello".utf8)
        #expect(WebSocketEncoder.frame(opcode: .text, payload: hello) == [0x81, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F])
        #expect(WebSocketEncoder.frame(opcode: .text, payload: hello, maskKey: Self.key)
            == [0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58])
        #expect(WebSocketEncoder.frame(opcode: .ping, payload: hello) == [0x89, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F])
        #expect(WebSocketEncoder.frame(opcode: .pong, payload: hello, maskKey: Self.key)
            == [0x8A, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58])
    }

    /// Header bytes at the length-encoding boundaries, matching the hand-built frames.
    @Test(arguments: [0, 1, 125, 126, 127, 65535, 65536, 100_000])
    func lengthEncodings(size: Int) {
        let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0) }
        let plain = WebSocketEncoder.frame(opcode: .binary, payload: payload)
        #expect(plain == TestFrame.server(.binary, payload).bytes)
        let masked = WebSocketEncoder.frame(opcode: .binary, payload: payload, maskKey: Self.key)
        #expect(masked == TestFrame.client(.binary, payload).bytes)
        let expectedHeader = size < 126 ? 2 : (size <= 65535 ? 4 : 10)
        #expect(plain.count == expectedHeader + size)
        #expect(masked.count == expectedHeader + 4 + size)
    }

    /// Sizes 0/125/126/65535/65536 and large, text and binary, masked and not, decode to what was sent.
    @Test(arguments: [0, 125, 126, 65535, 65536, 1 << 20])
    func roundTrip(size: Int) {
        let binary = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let text = (0..<size).map { UInt8(0x20 + $0 % 90) }
        for masked in [false, true] {
            let key = masked ? Self.key : nil
            let stream = WebSocketEncoder.frame(opcode: .binary, payload: binary, maskKey: key)
                + WebSocketEncoder.frame(opcode: .text, payload: text, maskKey: key)
            let result = Support.decode(stream, requireMask: masked, maxMessageBytes: 1 << 20)
            #expect(result == WebSocketTranscript(events: [.binary(binary), .text(text)]), "size \(size) masked \(masked)")
        }
    }

    @Test func largeMessageInSmallReads() {
        let payload = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        var stream: [UInt8] = []
        payload.withUnsafeBytes { WebSocketEncoder.appendMessage(opcode: .binary, payload: $0, maskKey: Self.key, to: &stream) }
        let pieces = stride(from: 0, to: stream.count, by: 1000).map { Array(stream[$0..<min(stream.count, $0 + 1000)]) }
        #expect(Support.transcript(pieces) == WebSocketTranscript(events: [.binary(payload)]))
    }

    @Test func messageSplitIntoFrames() {
        let payload = [UInt8](repeating: 0x61, count: 40000)
        var out: [UInt8] = []
        payload.withUnsafeBytes { WebSocketEncoder.appendMessage(opcode: .text, payload: $0, to: &out) }
        // 16384 + 16384 + 7232: text without FIN, continuation, final continuation.
        #expect(out.count == 3 * 4 + 40000)
        #expect(out[0] == 0x01 && out[1] == 126 && out[2] == 0x40 && out[3] == 0x00)
        #expect(out[4 + 16384] == 0x00)
        #expect(out[8 + 2 * 16384] == 0x80)
        #expect(Array(out[(9 + 2 * 16384)...(11 + 2 * 16384)]) == [126, 0x1C, 0x40])
        #expect(Support.decode(out, requireMask: false).events == [.text(payload)])
    }

    @Test func messageSplitExactMultipleAndEmpty() {
        var out: [UInt8] = []
        let payload = [UInt8](repeating: 0x62, count: 20)
        payload.withUnsafeBytes { WebSocketEncoder.appendMessage(opcode: .binary, payload: $0, maxFrameBytes: 10, to: &out) }
        #expect(out == [0x02, 10] + payload.prefix(10) + [0x80, 10] + payload.suffix(10))
        var empty: [UInt8] = []
        [UInt8]().withUnsafeBytes { WebSocketEncoder.appendMessage(opcode: .text, payload: $0, to: &empty) }
        #expect(empty == [0x81, 0x00])
        var masked: [UInt8] = []
        payload.withUnsafeBytes { WebSocketEncoder.appendMessage(opcode: .binary, payload: $0, maxFrameBytes: 3, maskKey: Self.key, to: &masked) }
        #expect(Support.decode(masked).events == [.binary(payload)])
    }

    @Test func appendsAfterExistingBytes() {
        var out: [UInt8] = [0xEE]
        Array("ab".utf8).withUnsafeBytes {
            WebSocketEncoder.appendFrame(opcode: .text, payload: $0, fin: false, maskKey: Self.key, to: &out)
        }
        #expect(out == [0xEE, 0x01, 0x82, 0x37, 0xFA, 0x21, 0x3D, 0x61 ^ 0x37, 0x62 ^ 0xFA])
    }

    @Test func headerWithRSV1() {
        var out: [UInt8] = []
        WebSocketEncoder.appendHeader(
            WebSocketFrameHeader(fin: true, rsv1: true, opcode: .text, masked: false, payloadLength: 3), to: &out)
        #expect(out == [0xC1, 0x03])
        #expect(WebSocketFrameHeader(fin: true, opcode: .binary, masked: true, payloadLength: 70000).encodedCount == 14)
    }

    @Test func closePayloads() {
        #expect(WebSocketEncoder.closePayload(code: nil, reason: Array("ignored".utf8)) == [])
        #expect(WebSocketEncoder.closePayload(code: 1000, reason: []) == [0x03, 0xE8])
        #expect(WebSocketEncoder.closePayload(code: 4001, reason: Array("bye".utf8)) == [0x0F, 0xA1, 0x62, 0x79, 0x65])
        // Reasons are cut to fit a control frame, never inside a character.
        let long = Array(String(repeating: "é", count: 100).utf8)
        let cut = WebSocketEncoder.closePayload(code: 1000, reason: long)
        #expect(cut.count == 2 + 122)
        #expect(UTF8StreamValidator.isValid(Array(cut[2...])))
        let ascii = [UInt8](repeating: 0x61, count: 200)
        #expect(WebSocketEncoder.closePayload(code: 1000, reason: ascii).count == 125)
        let frame = WebSocketEncoder.frame(opcode: .close, payload: cut, maskKey: Self.key)
        #expect(Support.decode(frame).events == [.close(code: 1000, reason: Array(cut[2...]))])
    }

    /// The masking routine at every phase and length matches a byte-wise XOR, in place and copying.
    @Test func maskingMatchesNaiveXOR() {
        let keyBytes: [UInt8] = [0x01, 0x23, 0x45, 0x67]
        let key = WebSocketMasking.key((0x01, 0x23, 0x45, 0x67))
        var random = SeededRandom(seed: 99)
        for phase in 0..<4 {
            for length in 0..<80 {
                let input = random.bytes(length)
                let expected = input.enumerated().map { $0.element ^ keyBytes[($0.offset + phase) % 4] }
                var inPlace = [0xAA] + input
                WebSocketMasking.applyInPlace(key: key, phase: phase, &inPlace, from: 1)
                #expect(Array(inPlace.dropFirst()) == expected && inPlace[0] == 0xAA, "phase \(phase) length \(length)")
                var copy = [UInt8](repeating: 0, count: length)
                input.withUnsafeBytes { source in
                    copy.withUnsafeMutableBytes { destination in
                        if let s = source.baseAddress, let d = destination.baseAddress {
                            WebSocketMasking.apply(key: key, phase: phase, source: s, destination: d, count: length)
                        }
                    }
                }
                #expect(copy == expected)
            }
        }
    }

    /// Random messages through encoder and decoder, in random reads.
    @Test func randomRoundTrips() {
        let seed: UInt64 = 0xE2C0_DE12
        var random = SeededRandom(seed: seed)
        for round in 0..<300 {
            var stream: [UInt8] = []
            var expected: [WebSocketEvent] = []
            let key: WebSocketEncoder.MaskKey? = round % 2 == 0
                ? (UInt8(random.below(256)), UInt8(random.below(256)), UInt8(random.below(256)), UInt8(random.below(256))) : nil
            for _ in 0..<(1 + random.below(5)) {
                let size = [0, 1, 7, 125, 126, 300, 5000][random.below(7)]
                switch random.below(4) {
                case 0:
                    let text = (0..<size).map { _ in UInt8(0x20 + random.below(95)) }
                    text.withUnsafeBytes {
                        WebSocketEncoder.appendMessage(opcode: .text, payload: $0, maxFrameBytes: 1 + random.below(200), maskKey: key, to: &stream)
                    }
                    expected.append(.text(text))
                case 1:
                    let bytes = random.bytes(size)
                    bytes.withUnsafeBytes {
                        WebSocketEncoder.appendMessage(opcode: .binary, payload: $0, maxFrameBytes: 1 + random.below(200), maskKey: key, to: &stream)
                    }
                    expected.append(.binary(bytes))
                case 2:
                    let bytes = random.bytes(min(size, 125))
                    stream += WebSocketEncoder.frame(opcode: .ping, payload: bytes, maskKey: key)
                    expected.append(.ping(bytes))
                default:
                    let bytes = random.bytes(min(size, 125))
                    stream += WebSocketEncoder.frame(opcode: .pong, payload: bytes, maskKey: key)
                    expected.append(.pong(bytes))
                }
            }
            let pieces = Support.randomSplit(stream, &random)
            let result = Support.transcript(pieces, requireMask: key != nil)
            #expect(result == WebSocketTranscript(events: expected), "seed \(seed) round \(round)")
        }
    }
}
