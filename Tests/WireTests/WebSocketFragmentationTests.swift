import SeededRandom
import Testing
@testable import Wire

/// Reassembly, control frames between fragments, and independence from how the
/// stream is split into reads.
@Suite("WebSocket fragmentation")
struct WebSocketFragmentationTests {
    typealias Support = WebSocketTestSupport

    /// Two fragmented messages with pings, pongs and empty fragments between and
    /// around their pieces, then a close.
    static func mixedStream(masked: Bool) -> (stream: [UInt8], events: [WebSocketEvent]) {
        func frame(_ opcode: WebSocketOpcode, _ payload: [UInt8], fin: Bool = true) -> [UInt8] {
            masked ? TestFrame.client(opcode, payload, fin: fin).bytes : TestFrame.server(opcode, payload, fin: fin).bytes
        }
        let euro = Array("€".utf8)  // E2 82 AC: split across three fragments below
        let big = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        var stream: [UInt8] = []
        stream += frame(.text, Array("Hello, ".utf8) + [euro[0]], fin: false)
        stream += frame(.ping, Array("p1".utf8))
        stream += frame(.continuation, [euro[1]], fin: false)
        stream += frame(.continuation, [], fin: false)
        stream += frame(.pong, [])
        stream += frame(.continuation, [euro[2]] + Array(" world".utf8))
        stream += frame(.binary, Array(big[..<130]), fin: false)
        stream += frame(.ping, [])
        stream += frame(.continuation, Array(big[130...]))
        stream += frame(.text, [])
        stream += frame(.close, [0x03, 0xE9] + Array("away".utf8))
        let events: [WebSocketEvent] = [
            .ping(Array("p1".utf8)),
            .pong([]),
            .text(Array("Hello, € world".utf8)),
            .ping([]),
            .binary(big),
            .text([]),
            .close(code: 1001, reason: Array("away".utf8)),
        ]
        return (stream, events)
    }

    @Test(arguments: [true, false])
    func controlFramesBetweenFragmentsAreEmittedAtOnce(masked: Bool) {
        let (stream, events) = Self.mixedStream(masked: masked)
        #expect(Support.decode(stream, requireMask: masked) == WebSocketTranscript(events: events))
    }

    @Test(arguments: [true, false])
    func byteByByteMatchesWhole(masked: Bool) {
        let (stream, events) = Self.mixedStream(masked: masked)
        #expect(Support.decodeByteByByte(stream, requireMask: masked) == WebSocketTranscript(events: events))
    }

    /// Every cut point of the stream into two reads gives the same events.
    @Test(arguments: [true, false])
    func everySplitPoint(masked: Bool) {
        let (stream, events) = Self.mixedStream(masked: masked)
        let expected = WebSocketTranscript(events: events)
        for cut in 0...stream.count {
            let result = Support.transcript(Support.split(stream, at: [cut]), requireMask: masked)
            #expect(result == expected, "cut at \(cut)")
        }
    }

    /// Every pair of cut points over the first frames (where the headers and the
    /// split character are) gives the same events.
    @Test func everyPairOfSplitPoints() {
        let (stream, events) = Self.mixedStream(masked: true)
        let expected = WebSocketTranscript(events: events)
        let reach = min(stream.count, 60)
        for first in 0...reach {
            for second in first...reach {
                let result = Support.transcript(Support.split(stream, at: [first, second]))
                #expect(result == expected, "cuts at \(first), \(second)")
            }
        }
    }

    @Test func randomSplitsWithPrintedSeed() {
        let seed: UInt64 = 0x5EED_0F_F5A6
        var random = SeededRandom(seed: seed)
        let (stream, events) = Self.mixedStream(masked: true)
        for round in 0..<200 {
            let pieces = Support.randomSplit(stream, &random)
            #expect(Support.transcript(pieces) == WebSocketTranscript(events: events), "seed \(seed) round \(round)")
        }
    }

    /// `decodeNext` hands out one event per call and reports what it consumed; a reader
    /// that keeps the unconsumed rest and passes it again (with whatever arrived since)
    /// gets exactly the events `decode` gives, however the stream is split.
    @Test func decodeNextStopsAfterEachEvent() {
        let seed: UInt64 = 0x0E_7E_47
        var random = SeededRandom(seed: seed)
        let (stream, events) = Self.mixedStream(masked: true)
        for round in 0..<200 {
            let pieces = round == 0 ? [stream] : Support.randomSplit(stream, &random)
            var decoder = WebSocketDecoder(requireMask: true)
            var unread: [UInt8] = []
            var got: [WebSocketEvent] = []
            var calls = 0
            for piece in pieces {
                unread += piece
                while !unread.isEmpty && calls < 10_000 {
                    calls += 1
                    var emitted: [WebSocketEvent] = []
                    let consumed = unread.withUnsafeBytes { raw in
                        Result { () throws(WebSocketError) in try decoder.decodeNext(raw) { event, _ in emitted.append(event) } }
                    }
                    guard case .success(let count) = consumed else {
                        Issue.record("seed \(seed) round \(round): \(consumed)")
                        return
                    }
                    #expect(emitted.count <= 1, "seed \(seed) round \(round): \(emitted.count) events in one call")
                    #expect(count == unread.count || emitted.count == 1, "stopped early without an event")
                    got += emitted
                    unread.removeFirst(count)
                    if emitted.isEmpty { break }
                }
            }
            #expect(got == events, "seed \(seed) round \(round)")
        }
    }

    /// Errors too are independent of the split: same events before, same error.
    @Test func errorsDoNotDependOnSplits() {
        let streams: [[UInt8]] = [
            TestFrame.client(.text, "ok").bytes + TestFrame.client(.text, [0x61, 0xED, 0xA0, 0x80]).bytes,
            TestFrame.client(.binary, [1], fin: false).bytes + TestFrame.client(.ping, []).bytes + TestFrame.client(.binary, [2]).bytes,
            TestFrame.client(.ping, "x").bytes + TestFrame(fin: false, opcode: 9).bytes,
            TestFrame.client(.text, "a", fin: false).bytes + TestFrame.client(.continuation, [0xE2, 0x82]).bytes,
            TestFrame.client(.close, [0x03, 0xEC]).bytes,
        ]
        for stream in streams {
            let whole = Support.decode(stream)
            #expect(whole.error != nil)
            #expect(Support.decodeByteByByte(stream) == whole)
            for cut in 0...stream.count {
                #expect(Support.transcript(Support.split(stream, at: [cut])) == whole, "cut at \(cut)")
            }
        }
    }

    // MARK: - UTF-8 across fragments

    /// A multi-byte character cut at every position between two fragments.
    @Test(arguments: ["é", "€", "𝄞", "aé€𝄞z", "\u{10FFFF}", "\u{D7FF}\u{E000}"])
    func validCharacterSplitAcrossFragments(text: String) {
        let bytes = Array(text.utf8)
        for cut in 0...bytes.count {
            let stream = TestFrame.client(.text, Array(bytes[..<cut]), fin: false).bytes
                + TestFrame.client(.continuation, Array(bytes[cut...])).bytes
            #expect(Support.decode(stream).events == [.text(bytes)], "cut at \(cut)")
        }
    }

    /// Invalid sequences (overlongs, surrogates, beyond U+10FFFF, stray bytes)
    /// fail with 1007 wherever the fragment boundary falls.
    @Test(arguments: [
        [UInt8(0xC0), 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF], [0xF0, 0x80, 0x80, 0x80],
        [0xF0, 0x8F, 0xBF, 0xBF], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80],
        [0xF5, 0x80, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xFF], [0xFE], [0x80], [0xBF],
        [0xC2, 0x41], [0xE2, 0x82, 0x41], [0xF0, 0x9F, 0x98, 0x41],
    ])
    func invalidSequenceSplitAcrossFragments(sequence: [UInt8]) {
        let bytes = Array("ok ".utf8) + sequence + Array(" tail".utf8)
        for cut in 0...bytes.count {
            let stream = TestFrame.client(.text, Array(bytes[..<cut]), fin: false).bytes
                + TestFrame.client(.continuation, Array(bytes[cut...])).bytes
            let result = Support.decode(stream)
            #expect(result.events.isEmpty && Support.error(1007, in: result), "cut at \(cut)")
        }
    }

    /// A message that ends inside a character is invalid even though every byte was a valid prefix.
    @Test(arguments: [[UInt8(0xC3)], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xF4]])
    func truncatedSequenceAtMessageEnd(tail: [UInt8]) {
        let fragmented = TestFrame.client(.text, "abc", fin: false).bytes + TestFrame.client(.continuation, tail).bytes
        #expect(Support.error(1007, in: Support.decode(fragmented)))
        #expect(Support.error(1007, in: Support.decode(TestFrame.client(.text, Array("abc".utf8) + tail).bytes)))
        // Followed by an empty final fragment, still invalid.
        let trailingEmpty = TestFrame.client(.text, Array("abc".utf8) + tail, fin: false).bytes
            + TestFrame.client(.continuation, []).bytes
        #expect(Support.error(1007, in: Support.decode(trailingEmpty)))
    }

    /// Fail fast: the invalid fragment is rejected before the message's end arrives.
    @Test func invalidFragmentFailsBeforeMessageEnds() {
        let pieces = [
            TestFrame.client(.text, "κόσμε", fin: false).bytes,
            TestFrame.client(.continuation, [0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xCE, 0xBC, 0xCE, 0xB5, 0xF4, 0x90], fin: false).bytes,
        ]
        let result = Support.transcript(pieces)
        #expect(Support.error(1007, in: result))
    }

    /// Text validation state does not leak from one message into the next.
    @Test func validatorResetsBetweenMessages() {
        let stream = TestFrame.client(.binary, [0xE2], fin: false).bytes + TestFrame.client(.continuation, []).bytes
            + TestFrame.client(.text, [0x82, 0xAC], fin: false).bytes + TestFrame.client(.continuation, []).bytes
        let result = Support.decode(stream)
        #expect(result.events == [.binary([0xE2])])
        #expect(Support.error(1007, in: result))
    }
}
