@testable import Wire

/// WebSocket frame streams through `WebSocketDecoder` in both directions (a server's
/// decoder requiring masks, a client's refusing them with permessage-deflate's RSV1
/// allowed and a small message limit), and the raw input through `UTF8StreamValidator`.
///
/// Checks: events, error and final state do not depend on how the stream was split into
/// reads, nor on taking the events one `decodeNext` at a time; text and close reasons are
/// UTF-8 by the standard library's validator; control payloads and messages respect their
/// limits; a close is the last event; the events re-encoded by `WebSocketEncoder`
/// (fragmented, masked) decode to themselves; the streaming UTF-8 validator agrees with the
/// standard library however the bytes are cut.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebSocketFrames(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Fuzz.bytes(data, size)
    let pieces = Fuzz.pieces(of: input)
    for side in [WebSocketFrames.server, WebSocketFrames.client] {
        let whole = side.decode([input])
        let split = side.decode(pieces)
        Fuzz.check(whole == split, "split changed the outcome of the \(side):\n\(whole)\n\(split)")
        let stepped = side.decode(pieces, oneAtATime: true)
        Fuzz.check(whole == stepped, "decodeNext changed the outcome of the \(side):\n\(whole)\n\(stepped)")
        side.checkLimits(whole)
        if side.requireMask { side.checkReencoding(whole, random: Fuzz.random(for: input)) }
    }
    WebSocketFrames.checkUTF8Validator(input, pieces)
    return 0
}

struct WebSocketFrames: CustomStringConvertible {
    static let server = WebSocketFrames(requireMask: true, maxMessageBytes: 1 << 20, allowRSV1: false)
    static let client = WebSocketFrames(requireMask: false, maxMessageBytes: 100, allowRSV1: true)

    let requireMask: Bool
    let maxMessageBytes: Int
    let allowRSV1: Bool

    var description: String { requireMask ? "server's decoder" : "client's decoder" }

    struct Outcome: Equatable {
        var events: [WebSocketEvent] = []
        var compressed: [Bool] = []
        var error: WebSocketError?
        var closed = false
        var inMessage = false
    }

    /// Every read through `decode`, or, `oneAtATime`, through `decodeNext` until it is used up.
    func decode(_ reads: [[UInt8]], oneAtATime: Bool = false) -> Outcome {
        var decoder = WebSocketDecoder(requireMask: requireMask, maxMessageBytes: maxMessageBytes, allowRSV1: allowRSV1)
        var outcome = Outcome()
        reading: for read in reads {
            var offset = 0
            repeat {
                var emitted = 0
                let result = read[offset...].withUnsafeBytes { bytes in
                    Result { () throws(WebSocketError) -> Int in
                        let emit = { (event: WebSocketEvent, compressed: Bool) in
                            emitted += 1
                            outcome.events.append(event)
                            outcome.compressed.append(compressed)
                        }
                        guard oneAtATime else {
                            try decoder.decode(bytes, emitCompressed: emit)
                            return bytes.count
                        }
                        return try decoder.decodeNext(bytes, emitCompressed: emit)
                    }
                }
                switch result {
                case .success(let used):
                    let left = read.count - offset
                    Fuzz.check(used >= 0 && used <= left && (used == left || (emitted == 1 && used > 0)),
                               "decodeNext used \(used) of \(left) with \(emitted) events")
                    Fuzz.check(emitted <= 1 || !oneAtATime, "decodeNext emitted \(emitted) events")
                    offset += used
                case .failure(let error):
                    outcome.error = error
                    break reading
                }
            } while offset < read.count
        }
        // A failed decoder is done with; its other state means nothing.
        if outcome.error == nil {
            outcome.closed = decoder.isClosed
            outcome.inMessage = decoder.isMessageInProgress
        }
        return outcome
    }

    func checkLimits(_ outcome: Outcome) {
        if let error = outcome.error {
            Fuzz.check([1002, 1007, 1009].contains(error.closeCode), "close code \(error.closeCode) for \(error.reason)")
        }
        for (index, event) in outcome.events.enumerated() {
            let compressed = outcome.compressed[index]
            switch event {
            case .text(let payload):
                Fuzz.check(payload.count <= maxMessageBytes, "text of \(payload.count) bytes")
                Fuzz.check(compressed || Fuzz.isUTF8(payload), "text is not UTF-8")
                Fuzz.check(allowRSV1 || !compressed, "compressed without RSV1 allowed")
            case .binary(let payload):
                Fuzz.check(payload.count <= maxMessageBytes, "binary of \(payload.count) bytes")
                Fuzz.check(allowRSV1 || !compressed, "compressed without RSV1 allowed")
            case .ping(let payload), .pong(let payload):
                Fuzz.check(payload.count <= 125 && !compressed, "control payload of \(payload.count) bytes")
            case .close(let code, let reason):
                Fuzz.check(index == outcome.events.count - 1 && outcome.error == nil && outcome.closed, "events after a close")
                Fuzz.check(code.map(WebSocketCloseCode.isValidOnWire) ?? reason.isEmpty, "close \(String(describing: code))")
                Fuzz.check(reason.count <= 123 && Fuzz.isUTF8(reason), "close reason")
            }
        }
    }

    /// The events as a peer would send them: data messages in fragments, masked.
    func checkReencoding(_ outcome: Outcome, random: SeededRandom) {
        var random = random
        let key: WebSocketEncoder.MaskKey = (
            UInt8(truncatingIfNeeded: random.next()), UInt8(truncatingIfNeeded: random.next()),
            UInt8(truncatingIfNeeded: random.next()), UInt8(truncatingIfNeeded: random.next()))
        var stream: [UInt8] = []
        for event in outcome.events {
            switch event {
            case .text(let payload), .binary(let payload):
                let opcode: WebSocketOpcode = if case .text = event { .text } else { .binary }
                payload.withUnsafeBytes {
                    WebSocketEncoder.appendMessage(
                        opcode: opcode, payload: $0, maxFrameBytes: 1 + random.below(200), maskKey: key, to: &stream)
                }
            case .ping(let payload):
                stream += WebSocketEncoder.frame(opcode: .ping, payload: payload, maskKey: key)
            case .pong(let payload):
                stream += WebSocketEncoder.frame(opcode: .pong, payload: payload, maskKey: key)
            case .close(let code, let reason):
                stream += WebSocketEncoder.frame(
                    opcode: .close, payload: WebSocketEncoder.closePayload(code: code, reason: reason), maskKey: key)
            }
        }
        let again = decode(Fuzz.pieces(of: stream))
        Fuzz.check(again.events == outcome.events && again.error == nil, "re-encoded events decode as \(again)")
    }

    static func checkUTF8Validator(_ input: [UInt8], _ pieces: [[UInt8]]) {
        let expected = Fuzz.isUTF8(input)
        Fuzz.check(UTF8StreamValidator.isValid(input) == expected, "whole-input verdict differs from the standard library")
        var validator = UTF8StreamValidator()
        var valid = true
        for piece in pieces where valid {
            valid = piece.withUnsafeBytes { validator.validate($0) }
        }
        Fuzz.check((valid && validator.isComplete) == expected, "split-input verdict differs from the standard library")
    }
}
