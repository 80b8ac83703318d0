import SeededRandom
import Testing
@testable import Wire

/// Frames built by hand, independently of `WebSocketEncoder`, so the decoder
/// can be fed anything: reserved bits, bad opcodes, non-minimal lengths.
struct TestFrame {
    enum LengthForm {
        case minimal, sixteenBit, sixtyFourBit
    }

    var fin = true
    /// Bits 0x70 of the first byte (RSV1 = 0x40, RSV2 = 0x20, RSV3 = 0x10).
    var rsv: UInt8 = 0
    var opcode: UInt8
    var payload: [UInt8] = []
    var maskKey: [UInt8]? = [0x37, 0xFA, 0x21, 0x3D]
    var lengthForm = LengthForm.minimal
    /// Written instead of `payload.count` when set (the payload is still appended).
    var announcedLength: UInt64?

    static let key: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]

    /// A client-to-server (masked) frame.
    static func client(_ opcode: WebSocketOpcode, _ payload: [UInt8], fin: Bool = true) -> TestFrame {
        TestFrame(fin: fin, opcode: opcode.rawValue, payload: payload)
    }

    static func client(_ opcode: WebSocketOpcode, _ text: String, fin: Bool = true) -> TestFrame {
        client(opcode, Array(text.utf8), fin: fin)
    }

    /// A server-to-client (unmasked) frame.
    static func server(_ opcode: WebSocketOpcode, _ payload: [UInt8], fin: Bool = true) -> TestFrame {
        TestFrame(fin: fin, opcode: opcode.rawValue, payload: payload, maskKey: nil)
    }

    var bytes: [UInt8] {
        var out: [UInt8] = [(fin ? 0x80 : 0) | rsv | opcode]
        let maskBit: UInt8 = maskKey == nil ? 0 : 0x80
        let length = announcedLength ?? UInt64(payload.count)
        var form = lengthForm
        if form == .minimal { form = length < 126 ? .minimal : (length <= 0xFFFF ? .sixteenBit : .sixtyFourBit) }
        switch form {
        case .minimal:
            out.append(maskBit | UInt8(length))
        case .sixteenBit:
            out.append(maskBit | 126)
            out += [UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
        case .sixtyFourBit:
            out.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: length >> UInt64(shift))) }
        }
        if let maskKey {
            out += maskKey
            out += payload.enumerated().map { $0.element ^ maskKey[$0.offset % 4] }
        } else {
            out += payload
        }
        return out
    }
}

/// What a decoder produced for a stream: its events, then the error if any.
struct WebSocketTranscript: Equatable, CustomStringConvertible {
    var events: [WebSocketEvent] = []
    var error: WebSocketError?

    var description: String {
        "events: \(events.map(Self.describe)), error: \(error.map { "\($0.closeCode) \($0.reason)" } ?? "none")"
    }

    static func describe(_ event: WebSocketEvent) -> String {
        switch event {
        case .text(let b): return "text(\(b.count))"
        case .binary(let b): return "binary(\(b.count))"
        case .ping(let b): return "ping(\(b.count))"
        case .pong(let b): return "pong(\(b.count))"
        case .close(let code, let reason): return "close(\(code.map(String.init) ?? "nil"), \(reason.count))"
        }
    }
}

extension WebSocketDecoder {
    /// `decode` for an array, keeping the typed error (Array.withUnsafeBytes would erase it).
    mutating func feed(_ bytes: [UInt8], emit: (WebSocketEvent) -> Void) throws(WebSocketError) {
        let outcome = bytes.withUnsafeBytes { raw in
            Result { () throws(WebSocketError) in try decode(raw, emit: emit) }
        }
        try outcome.get()
    }
}

enum WebSocketTestSupport {
    /// Feeds `pieces` in order to a fresh decoder; stops at the first error.
    static func transcript(
        _ pieces: [[UInt8]], requireMask: Bool = true, maxMessageBytes: Int = 1 << 20, allowRSV1: Bool = false
    ) -> WebSocketTranscript {
        var decoder = WebSocketDecoder(requireMask: requireMask, maxMessageBytes: maxMessageBytes, allowRSV1: allowRSV1)
        var result = WebSocketTranscript()
        for piece in pieces {
            do throws(WebSocketError) {
                try decoder.feed(piece) { result.events.append($0) }
            } catch {
                result.error = error
                return result
            }
        }
        return result
    }

    /// Decodes one stream given all at once.
    static func decode(
        _ stream: [UInt8], requireMask: Bool = true, maxMessageBytes: Int = 1 << 20, allowRSV1: Bool = false
    ) -> WebSocketTranscript {
        transcript([stream], requireMask: requireMask, maxMessageBytes: maxMessageBytes, allowRSV1: allowRSV1)
    }

    /// Decodes a stream one byte per call.
    static func decodeByteByByte(_ stream: [UInt8], requireMask: Bool = true, maxMessageBytes: Int = 1 << 20) -> WebSocketTranscript {
        transcript(stream.map { [$0] }, requireMask: requireMask, maxMessageBytes: maxMessageBytes)
    }

    /// Splits `stream` at the given sorted offsets.
    static func split(_ stream: [UInt8], at offsets: [Int]) -> [[UInt8]] {
        var pieces: [[UInt8]] = []
        var start = 0
        for offset in offsets + [stream.count] {
            pieces.append(Array(stream[start..<offset]))
            start = offset
        }
        return pieces
    }

    /// Random cut points, sorted.
    static func randomSplit(_ stream: [UInt8], _ random: inout SeededRandom) -> [[UInt8]] {
        guard stream.count > 1 else { return [stream] }
        let cuts = (0..<random.below(8)).map { _ in 1 + random.below(stream.count - 1) }
        return split(stream, at: Set(cuts).sorted())
    }

    static func error(_ code: UInt16, in transcript: WebSocketTranscript) -> Bool {
        transcript.error?.closeCode == code
    }
}

@Suite("WebSocket test support")
struct WebSocketTestSupportTests {
    /// The hand-built frames match RFC 6455 §5.7's examples byte for byte.
    @Test func testFrameMatchesRFCExamples() {
        #expect(TestFrame.server(.text, Array("Hello".utf8)).bytes == [0x81, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F])
        #expect(TestFrame.client(.text, "Hello").bytes
            == [0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58])
        let big = TestFrame.server(.binary, [UInt8](repeating: 0, count: 65536)).bytes
        #expect(Array(big.prefix(10)) == [0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0])
    }

    @Test func splitKeepsEveryByte() {
        let stream = Array(0..<20) as [UInt8]
        #expect(WebSocketTestSupport.split(stream, at: [3, 3, 10]).joined().elementsEqual(stream))
        var random = SeededRandom(seed: 1)
        for _ in 0..<20 {
            #expect(WebSocketTestSupport.randomSplit(stream, &random).joined().elementsEqual(stream))
        }
    }
}
