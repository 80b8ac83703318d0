import SeededRandom
import Testing
@testable import Wire

/// Seeded mutation fuzzing of the frame decoder and the WOH body codec.
///
/// Beyond "never traps, always terminates" it checks that the outcome does not
/// depend on how the bytes were split into reads, that every error carries one
/// of the three close codes, and that whatever decodes re-encodes to the same events.
@Suite("WebSocket fuzz")
struct WebSocketFuzzTests {
    typealias Support = WebSocketTestSupport
    static let seed: UInt64 = 0x0005_0C4E_7F22_2024

    /// Valid streams to start from: fragments, control frames between them, all
    /// length encodings, multi-byte UTF-8 on fragment edges, a close.
    static func corpus(masked: Bool) -> [[UInt8]] {
        func frame(_ opcode: WebSocketOpcode, _ payload: [UInt8], fin: Bool = true) -> [UInt8] {
            masked ? TestFrame.client(opcode, payload, fin: fin).bytes : TestFrame.server(opcode, payload, fin: fin).bytes
        }
        let text = Array("héllo wörld €𝄞".utf8)
        let medium = (0..<300).map { UInt8(0x41 + $0 % 26) }
        return [
            frame(.text, text) + frame(.binary, [0, 1, 2]) + frame(.close, [0x03, 0xE8] + Array("ok".utf8)),
            frame(.text, Array(text[..<2]), fin: false) + frame(.ping, Array("ping".utf8))
                + frame(.continuation, Array(text[2...])) + frame(.pong, []),
            frame(.binary, medium, fin: false) + frame(.continuation, [], fin: false) + frame(.continuation, medium),
            frame(.ping, []) + frame(.text, []) + frame(.close, []),
            WebSocketFragmentationTests.mixedStream(masked: masked).stream,
        ]
    }

    static let interestingBytes: [UInt8] = [0x00, 0x01, 0x02, 0x08, 0x09, 0x0A, 0x0F, 0x7D, 0x7E, 0x7F, 0x80, 0x81, 0x82, 0x88, 0xC0, 0xE2, 0xED, 0xF4, 0xFF]

    static func mutate(_ input: [UInt8], _ random: inout SeededRandom) -> [UInt8] {
        var bytes = input
        let mutations = random.below(3) == 0 ? 2 + random.below(3) : 1
        for _ in 0..<mutations {
            let position = bytes.isEmpty ? 0 : random.below(bytes.count)
            switch random.below(7) {
            case 0 where !bytes.isEmpty:
                bytes[position] ^= UInt8(1) << UInt8(random.below(8))
            case 1 where !bytes.isEmpty:
                bytes[position] = interestingBytes[random.below(interestingBytes.count)]
            case 2:
                bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: position)
            case 3 where !bytes.isEmpty:
                bytes.removeSubrange(position..<min(bytes.count, position + 1 + random.below(4)))
            case 4:
                bytes.removeSubrange(position..<bytes.count)
            case 5 where !bytes.isEmpty:
                let end = min(bytes.count, position + 1 + random.below(16))
                bytes.insert(contentsOf: bytes[position..<end], at: random.below(bytes.count + 1))
            case 6 where !bytes.isEmpty:
                bytes[position] = UInt8(truncatingIfNeeded: random.next())
            default:
                break
            }
        }
        return bytes
    }

    @Test func mutatedFrameStreams() {
        var random = SeededRandom(seed: Self.seed)
        let corpora = [Self.corpus(masked: true), Self.corpus(masked: false)]
        var outcomes: [UInt16: Int] = [:]
        for round in 0..<10_000 {
            let masked = round % 2 == 0
            let corpus = corpora[masked ? 0 : 1]
            let stream = Self.mutate(corpus[random.below(corpus.count)], &random)
            let limit = round % 5 == 0 ? 200 : 1 << 20
            let allowRSV1 = round % 7 == 0
            let whole = Support.transcript([stream], requireMask: masked, maxMessageBytes: limit, allowRSV1: allowRSV1)
            let pieces = round % 10 == 0 ? stream.map { [$0] } : Support.randomSplit(stream, &random)
            let split = Support.transcript(pieces, requireMask: masked, maxMessageBytes: limit, allowRSV1: allowRSV1)
            #expect(split == whole, "seed \(Self.seed) round \(round)")
            if let error = whole.error {
                #expect([1002, 1007, 1009].contains(error.closeCode), "round \(round)")
                outcomes[error.closeCode, default: 0] += 1
            } else {
                outcomes[0, default: 0] += 1
            }
            if !allowRSV1 { checkReencodes(whole.events, masked: masked, round: round) }
        }
        // The mutations reach every outcome, not only the first check in the decoder.
        for code: UInt16 in [0, 1002, 1007, 1009] {
            #expect(outcomes[code, default: 0] > 50, "outcome \(code): \(outcomes)")
        }
    }

    /// Events that decoded re-encode (one frame each) and decode to themselves.
    private func checkReencodes(_ events: [WebSocketEvent], masked: Bool, round: Int) {
        let key: WebSocketEncoder.MaskKey? = masked ? (9, 8, 7, 6) : nil
        var stream: [UInt8] = []
        for event in events {
            switch event {
            case .text(let bytes): stream += WebSocketEncoder.frame(opcode: .text, payload: bytes, maskKey: key)
            case .binary(let bytes): stream += WebSocketEncoder.frame(opcode: .binary, payload: bytes, maskKey: key)
            case .ping(let bytes): stream += WebSocketEncoder.frame(opcode: .ping, payload: bytes, maskKey: key)
            case .pong(let bytes): stream += WebSocketEncoder.frame(opcode: .pong, payload: bytes, maskKey: key)
            case .close(let code, let reason):
                stream += WebSocketEncoder.frame(
                    opcode: .close, payload: WebSocketEncoder.closePayload(code: code, reason: reason), maskKey: key)
            }
        }
        #expect(Support.decode(stream, requireMask: masked) == WebSocketTranscript(events: events), "round \(round)")
    }

    /// Mutated WOH bodies: decoding never traps, and what decodes re-encodes to
    /// a body that decodes to the same events.
    @Test func mutatedWebSocketOverHTTPBodies() {
        var random = SeededRandom(seed: Self.seed ^ 0xB0D1)
        let corpus: [[UInt8]] = [
            Array("OPEN\r\nTEXT 28\r\nc:{\"type\":\"subscribe\",\"channel\":\"room1\"}\r\n".utf8),
            Array("TEXT 2\r\nhi\r\nPING\r\nPONG 3\r\nabc\r\nBINARY 0\r\n\r\n".utf8),
            Array("CLOSE 4\r\n".utf8) + [0x03, 0xE8] + Array("ok\r\nDISCONNECT\r\n".utf8),
        ]
        var successes = 0
        for round in 0..<3000 {
            let body = Self.mutate(corpus[random.below(corpus.count)], &random)
            guard case .success(let events) = WebSocketOverHTTPCodec.decode(body) else { continue }
            successes += 1
            let again = WebSocketOverHTTPCodec.decode(WebSocketOverHTTPCodec.encode(events))
            #expect(again == .success(events), "round \(round)")
        }
        #expect(successes > 100)
    }
}
