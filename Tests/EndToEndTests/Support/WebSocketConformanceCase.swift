/// One conformance case, in the manner of the Autobahn test suite: what the client sends
/// (exact frames, possibly malformed, chopped or paused) and what a correct server does.
struct ConformanceCase: Sendable {
    /// Autobahn-style number ("5.19"); cases added here for pushpind's limits say so in
    /// their title.
    let id: String
    let title: String
    let steps: [Step]
    let expect: Expectation

    enum Step: Sendable {
        /// These frames in one write.
        case frames([WebSocketFrame])
        /// These frames one write each, with `pause` between them.
        case framewise([WebSocketFrame], pause: Duration)
        /// Raw bytes, in writes of `chop` bytes when given.
        case raw([UInt8], chop: Int?)
        case pause(Duration)
    }

    enum Expectation: Sendable {
        /// These messages come back in order; afterwards the connection still works (a
        /// close 1000 is answered with 1000 and the server ends the TCP connection).
        case replies([WebSocketMessage])
        /// The server fails the connection with `code` (after sending `after`) and ends it.
        /// `rest` is sent when no close came within the fail-fast window: a server that
        /// only fails at the end of the message passes non-strictly.
        case fails(code: UInt16, after: [WebSocketMessage] = [], rest: [UInt8]? = nil)
        /// The client started the close handshake: the server answers with a close whose
        /// code is one of `codes` (nil: empty payload) and ends the TCP connection.
        case closes(codes: [UInt16?], after: [WebSocketMessage] = [])
        /// `count` binary messages of `size` bytes echoed, written while the replies are read;
        /// the rate is reported, not asserted.
        case throughput(count: Int, size: Int)

        var summary: String {
            switch self {
            case .replies(let messages): return Self.list(messages) + " + close 1000"
            case let .fails(code, after, rest): return Self.prefix(after) + "close \(code)" + (rest == nil ? "" : " fast")
            case let .closes(codes, after): return Self.prefix(after) + "close " + codes.map { $0.map(String.init) ?? "empty" }.joined(separator: "|")
            case let .throughput(count, size): return "\(count)×\(size) B echoed"
            }
        }

        static func list(_ messages: [WebSocketMessage]) -> String {
            if messages.isEmpty { return "nothing" }
            if messages.count > 3 { return "\(messages.count) messages" }
            return messages.map(\.description).joined(separator: ", ")
        }

        static func prefix(_ messages: [WebSocketMessage]) -> String {
            messages.isEmpty ? "" : list(messages) + ", "
        }
    }
}

/// Payload makers for the cases.
enum ConformancePayload {
    /// Printable ASCII that changes every byte, so a shifted or dropped byte shows.
    static func text(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(33 + $0 % 94) } }

    /// Every byte value, in a cycle that is not a multiple of 4 (the mask length).
    static func binary(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 / 251) } }

    /// `payload` as a message split into frames of `size` bytes (the last one with FIN).
    static func fragments(_ opcode: UInt8, _ payload: [UInt8], size: Int) -> [WebSocketFrame] {
        var frames: [WebSocketFrame] = []
        var offset = 0
        repeat {
            let end = min(payload.count, offset + size)
            frames.append(.client(frames.isEmpty ? opcode : WebSocketFrame.Opcode.continuation, Array(payload[offset..<end]), fin: end == payload.count))
            offset = end
        } while offset < payload.count
        return frames
    }

    static func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var digits = Array(text.filter { !$0.isWhitespace })
        while digits.count >= 2 {
            bytes.append(UInt8(String(digits[0...1]), radix: 16) ?? 0)
            digits.removeFirst(2)
        }
        return bytes
    }
}
