import SeededRandom
import Testing
@testable import Wire

/// Each rule of RFC 6455 §5 the decoder enforces, with the close code it maps to.
@Suite("WebSocket decoder")
struct WebSocketDecoderTests {
    typealias Support = WebSocketTestSupport

    private func hello() -> [UInt8] { Array("Hello".utf8) }

    // MARK: - RFC 6455 §5.7 examples

    @Test func rfcExamplesFromServer() {
        let single: [UInt8] = [0x81, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F]
        let fragmented: [UInt8] = [0x01, 0x03, 0x48, 0x65, 0x6C, 0x80, 0x02, 0x6C, 0x6F]
        let ping: [UInt8] = [0x89, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F]
        let result = Support.decode(single + fragmented + ping, requireMask: false)
        #expect(result == WebSocketTranscript(events: [.text(hello()), .text(hello()), .ping(hello())]))
    }

    @Test func rfcExamplesFromClient() {
        let maskedText: [UInt8] = [0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58]
        let maskedPong: [UInt8] = [0x8A, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58]
        let result = Support.decode(maskedText + maskedPong)
        #expect(result == WebSocketTranscript(events: [.text(hello()), .pong(hello())]))
    }

    @Test func rfcExtendedLengthExamples() {
        let b256 = [UInt8](repeating: 0xAB, count: 256)
        let stream256: [UInt8] = [0x82, 0x7E, 0x01, 0x00] + b256
        #expect(Support.decode(stream256, requireMask: false).events == [.binary(b256)])
        let b64k = [UInt8](repeating: 0xCD, count: 65536)
        let stream64k: [UInt8] = [0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0] + b64k
        #expect(Support.decode(stream64k, requireMask: false).events == [.binary(b64k)])
    }

    // MARK: - Reserved bits and opcodes

    @Test(arguments: [UInt8(0x20), 0x10, 0x30, 0x70])
    func reservedBitsAreProtocolErrors(rsv: UInt8) {
        var frame = TestFrame.client(.text, "x")
        frame.rsv = rsv
        #expect(Support.error(1002, in: Support.decode(frame.bytes)))
        #expect(Support.error(1002, in: Support.decode(frame.bytes, allowRSV1: true)))
    }

    @Test func rsv1NeedsTheExtension() {
        var frame = TestFrame.client(.binary, [1, 2, 3])
        frame.rsv = 0x40
        #expect(Support.error(1002, in: Support.decode(frame.bytes)))
    }

    /// With permessage-deflate negotiated a compressed message passes through
    /// compressed (not UTF-8 checked) and says so.
    @Test func rsv1AllowedOnFirstDataFrame() throws {
        var first = TestFrame.client(.text, [0xFF, 0xFE], fin: false)
        first.rsv = 0x40
        let last = TestFrame.client(.continuation, [0xC0])
        var decoder = WebSocketDecoder(requireMask: true, allowRSV1: true)
        var flags: [Bool] = []
        var events: [WebSocketEvent] = []
        let plain = TestFrame.client(.text, "ok").bytes
        let stream = first.bytes + last.bytes + plain
        try stream.withUnsafeBytes { raw in
            try decoder.decode(raw) { event, compressed in
                events.append(event)
                flags.append(compressed)
            }
        }
        #expect(events == [.text([0xFF, 0xFE, 0xC0]), .text(Array("ok".utf8))])
        #expect(flags == [true, false])
    }

    @Test func rsv1OnContinuationOrControlIsProtocolError() {
        let first = TestFrame.client(.text, "a", fin: false)
        var continuation = TestFrame.client(.continuation, "b")
        continuation.rsv = 0x40
        #expect(Support.error(1002, in: Support.decode(first.bytes + continuation.bytes, allowRSV1: true)))
        var ping = TestFrame.client(.ping, "p")
        ping.rsv = 0x40
        #expect(Support.error(1002, in: Support.decode(ping.bytes, allowRSV1: true)))
    }

    /// The first two bytes are enough to refuse a frame; the rest of a long header is not awaited.
    @Test func badFrameStartFailsWithoutTheRestOfTheHeader() {
        #expect(Support.error(1002, in: Support.decode([0x83, 0xFF])))  // opcode 3, 64-bit length, masked
        #expect(Support.error(1002, in: Support.decodeByteByByte([0x81, 0x7F])))  // unmasked to a server
        #expect(Support.decode([0x81, 0xFF, 0, 0]).error == nil)  // fine so far: waits for the rest
    }

    @Test(arguments: [UInt8(3), 4, 5, 6, 7, 11, 12, 13, 14, 15])
    func reservedOpcodesAreProtocolErrors(opcode: UInt8) {
        let frame = TestFrame(opcode: opcode, payload: [1])
        let result = Support.decode(frame.bytes)
        #expect(result.events.isEmpty)
        #expect(Support.error(1002, in: result))
    }

    // MARK: - Control frames

    @Test(arguments: [WebSocketOpcode.ping, .pong, .close])
    func fragmentedControlFrameIsProtocolError(opcode: WebSocketOpcode) {
        let frame = TestFrame.client(opcode, [], fin: false)
        #expect(Support.error(1002, in: Support.decode(frame.bytes)))
    }

    @Test func controlPayloadLimit() {
        let max = [UInt8](repeating: 0x61, count: 125)
        #expect(Support.decode(TestFrame.client(.ping, max).bytes).events == [.ping(max)])
        let over = [UInt8](repeating: 0x61, count: 126)
        #expect(Support.error(1002, in: Support.decode(TestFrame.client(.ping, over).bytes)))
        // A small control payload spelled with an extended length is still refused.
        var spelled = TestFrame.client(.pong, [1, 2])
        spelled.lengthForm = .sixteenBit
        #expect(Support.error(1002, in: Support.decode(spelled.bytes)))
        spelled.lengthForm = .sixtyFourBit
        #expect(Support.error(1002, in: Support.decode(spelled.bytes)))
    }

    @Test func emptyControlFrames() {
        let stream = TestFrame.client(.ping, []).bytes + TestFrame.client(.pong, []).bytes + TestFrame.client(.close, []).bytes
        #expect(Support.decode(stream).events == [.ping([]), .pong([]), .close(code: nil, reason: [])])
    }

    // MARK: - Fragment sequencing

    @Test func continuationWithoutMessageIsProtocolError() {
        #expect(Support.error(1002, in: Support.decode(TestFrame.client(.continuation, "x").bytes)))
        let whole = TestFrame.client(.text, "done").bytes
        let result = Support.decode(whole + TestFrame.client(.continuation, "x").bytes)
        #expect(result.events == [.text(Array("done".utf8))])
        #expect(Support.error(1002, in: result))
    }

    @Test(arguments: [WebSocketOpcode.text, .binary])
    func newDataFrameInsideFragmentedMessageIsProtocolError(second: WebSocketOpcode) {
        let stream = TestFrame.client(.text, "a", fin: false).bytes + TestFrame.client(second, "b").bytes
        let result = Support.decode(stream)
        #expect(result.events.isEmpty)
        #expect(Support.error(1002, in: result))
    }

    @Test func messageInProgressIsReported() throws {
        var decoder = WebSocketDecoder(requireMask: true)
        try decoder.feed(TestFrame.client(.binary, [1], fin: false).bytes) { _ in }
        #expect(decoder.isMessageInProgress)
        try decoder.feed(TestFrame.client(.continuation, [2]).bytes) { _ in }
        #expect(!decoder.isMessageInProgress)
    }

    // MARK: - Masking

    @Test func serverSideRequiresMask() {
        let result = Support.decode(TestFrame.server(.text, hello()).bytes, requireMask: true)
        #expect(Support.error(1002, in: result))
    }

    @Test func clientSideRefusesMask() {
        let result = Support.decode(TestFrame.client(.text, "Hello").bytes, requireMask: false)
        #expect(Support.error(1002, in: result))
    }

    /// Unmasking lines up for payloads of every length mod 8 and keys with every byte distinct.
    @Test func unmaskingAllLengths() {
        var random = SeededRandom(seed: 7)
        for length in 0..<70 {
            let payload = random.bytes(length)
            var frame = TestFrame.client(.binary, payload)
            frame.maskKey = random.bytes(4)
            #expect(Support.decode(frame.bytes).events == [.binary(payload)], "length \(length)")
            #expect(Support.decodeByteByByte(frame.bytes).events == [.binary(payload)], "length \(length)")
        }
    }

    // MARK: - Lengths

    @Test func sixtyFourBitLengthWithTopBitIsProtocolError() {
        var frame = TestFrame.client(.binary, [])
        frame.announcedLength = 1 << 63
        #expect(Support.error(1002, in: Support.decode(frame.bytes, maxMessageBytes: .max)))
        frame.announcedLength = UInt64.max
        #expect(Support.error(1002, in: Support.decode(frame.bytes, maxMessageBytes: .max)))
    }

    @Test func nonMinimalLengthsAreAccepted() {
        for form in [TestFrame.LengthForm.sixteenBit, .sixtyFourBit] {
            var text = TestFrame.client(.text, "Hello")
            text.lengthForm = form
            var empty = TestFrame.client(.binary, [])
            empty.lengthForm = form
            let stream = text.bytes + empty.bytes
            #expect(Support.decode(stream).events == [.text(hello()), .binary([])])
            #expect(Support.decodeByteByByte(stream).events == [.text(hello()), .binary([])])
        }
    }

    /// 1009 as soon as the header announces too much, before any payload arrives.
    @Test func oversizedFrameFailsAtTheHeader() {
        let header = Array(TestFrame.client(.binary, [UInt8](repeating: 0, count: 1001)).bytes.prefix(8))
        let result = Support.decode(header, maxMessageBytes: 1000)
        #expect(Support.error(1009, in: result))
        var huge = TestFrame.client(.binary, [])
        huge.announcedLength = 1 << 40
        #expect(Support.error(1009, in: Support.decode(huge.bytes)))
    }

    @Test func messageLimitIsCumulativeAcrossFragments() {
        let piece = [UInt8](repeating: 0x41, count: 400)
        let ok = TestFrame.client(.text, piece, fin: false).bytes
            + TestFrame.client(.continuation, piece, fin: false).bytes
            + TestFrame.client(.continuation, Array(piece.prefix(200))).bytes
        #expect(Support.decode(ok, maxMessageBytes: 1000).events == [.text(piece + piece + piece.prefix(200))])
        let tooMuch = TestFrame.client(.text, piece, fin: false).bytes
            + TestFrame.client(.continuation, piece, fin: false).bytes
            + Array(TestFrame.client(.continuation, Array(piece.prefix(201))).bytes.prefix(8))  // header only
        #expect(Support.error(1009, in: Support.decode(tooMuch, maxMessageBytes: 1000)))
        // Control frames do not count towards a message.
        let withPing = TestFrame.client(.binary, piece, fin: false).bytes
            + TestFrame.client(.ping, [UInt8](repeating: 1, count: 125)).bytes
            + TestFrame.client(.continuation, piece).bytes
        #expect(Support.decode(withPing, maxMessageBytes: 800).error == nil)
    }

    // MARK: - UTF-8

    @Test func invalidTextIs1007() {
        #expect(Support.error(1007, in: Support.decode(TestFrame.client(.text, [0x61, 0xFF]).bytes)))
        #expect(Support.error(1007, in: Support.decode(TestFrame.client(.text, [0xE2, 0x82]).bytes)))
        // Binary is not checked.
        #expect(Support.decode(TestFrame.client(.binary, [0xFF]).bytes).events == [.binary([0xFF])])
    }

    /// An invalid byte fails the connection while the frame's payload is still arriving.
    @Test func invalidTextFailsFast() throws {
        let payload = Array("abc".utf8) + [0xC0] + [UInt8](repeating: 0x61, count: 100)
        let frame = TestFrame.client(.text, payload).bytes
        var decoder = WebSocketDecoder(requireMask: true)
        let head = Array(frame.prefix(6 + 4))
        var thrown: WebSocketError?
        do throws(WebSocketError) {
            try decoder.feed(head) { _ in }
        } catch {
            thrown = error
        }
        #expect(thrown?.closeCode == 1007)
    }

    // MARK: - Close frames

    @Test func closeWithCodeAndReason() {
        let payload: [UInt8] = [0x03, 0xE8] + Array("bye ✓".utf8)
        #expect(Support.decode(TestFrame.client(.close, payload).bytes).events
            == [.close(code: 1000, reason: Array("bye ✓".utf8))])
        #expect(Support.decode(TestFrame.client(.close, [0x0F, 0xA0]).bytes).events == [.close(code: 4000, reason: [])])
    }

    @Test func closeWithOneBytePayloadIsProtocolError() {
        #expect(Support.error(1002, in: Support.decode(TestFrame.client(.close, [0x03]).bytes)))
    }

    @Test(arguments: [UInt16(1000), 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999])
    func validCloseCodes(code: UInt16) {
        let frame = TestFrame.client(.close, [UInt8(code >> 8), UInt8(code & 0xFF)])
        #expect(Support.decode(frame.bytes).events == [.close(code: code, reason: [])])
    }

    @Test(arguments: [UInt16(0), 1, 999, 1004, 1005, 1006, 1012, 1013, 1014, 1015, 1016, 1100, 2000, 2999, 5000, 65535])
    func invalidCloseCodesAreProtocolErrors(code: UInt16) {
        let frame = TestFrame.client(.close, [UInt8(code >> 8), UInt8(code & 0xFF)])
        #expect(Support.error(1002, in: Support.decode(frame.bytes)))
    }

    @Test func closeReasonMustBeUTF8() {
        let frame = TestFrame.client(.close, [0x03, 0xE8, 0x61, 0xCE, 0xBA, 0xE1])
        #expect(Support.error(1007, in: Support.decode(frame.bytes)))
        #expect(Support.error(1007, in: Support.decodeByteByByte(frame.bytes)))
    }

    /// Nothing may follow a close frame; whatever does is ignored.
    @Test func bytesAfterCloseAreIgnored() throws {
        let stream = TestFrame.client(.close, [0x03, 0xE8]).bytes + TestFrame.client(.text, "late").bytes + [0xFF, 0xFF]
        #expect(Support.decode(stream) == WebSocketTranscript(events: [.close(code: 1000, reason: [])]))
        var decoder = WebSocketDecoder(requireMask: true)
        try decoder.feed(stream) { _ in }
        #expect(decoder.isClosed)
    }

    /// A close in the middle of a fragmented message ends it; the partial message is dropped.
    @Test func closeBetweenFragments() {
        let stream = TestFrame.client(.text, "par", fin: false).bytes + TestFrame.client(.close, []).bytes
            + TestFrame.client(.continuation, "tial").bytes
        #expect(Support.decode(stream).events == [.close(code: nil, reason: [])])
    }

    // MARK: - Failure is final

    @Test func errorsAreSticky() {
        var decoder = WebSocketDecoder(requireMask: true)
        var events: [WebSocketEvent] = []
        var errors: [WebSocketError] = []
        let streams = [TestFrame.client(.text, "ok").bytes + TestFrame(opcode: 3).bytes, TestFrame.client(.text, "again").bytes, []]
        for stream in streams {
            do throws(WebSocketError) {
                try decoder.feed(stream) { events.append($0) }
            } catch {
                errors.append(error)
            }
        }
        #expect(events == [.text(Array("ok".utf8))])
        #expect(errors.count == 3)
        #expect(errors.allSatisfy { $0 == errors[0] && $0.closeCode == 1002 })
    }

    @Test func errorReasonsFitACloseFrame() {
        let streams: [[UInt8]] = [
            TestFrame(opcode: 15).bytes,
            TestFrame.client(.text, [0xFF]).bytes,
            TestFrame.client(.close, [0x03, 0xED]).bytes,
        ]
        for stream in streams {
            let reason = Support.decode(stream, maxMessageBytes: .max).error?.reason ?? ""
            #expect(!reason.isEmpty && reason.utf8.count <= 123)
        }
    }
}
