/// WebSocket-over-HTTP events (`application/websocket-events`), encoded and parsed by
/// hand for the backend stub: `TYPE\r\n` or `TYPE <hex length>\r\n<content>\r\n`,
/// concatenated. Kept apart from Wire's codec so the tests check pushpind's encoding
/// against an independent reading of the format.
enum WOHEvent: Sendable, Equatable, CustomStringConvertible {
    case open
    case text([UInt8])
    case binary([UInt8])
    case ping([UInt8])
    case pong([UInt8])
    /// `code` nil: CLOSE without content.
    case close(code: UInt16?, reason: [UInt8])
    case disconnect

    static func text(_ string: String) -> WOHEvent { .text(Array(string.utf8)) }

    var description: String {
        switch self {
        case .open: return "OPEN"
        case .text(let bytes): return "TEXT \(String(decoding: bytes, as: UTF8.self).debugDescription)"
        case .binary(let bytes): return "BINARY \(bytes.count) B"
        case .ping(let bytes): return "PING \(bytes.count) B"
        case .pong(let bytes): return "PONG \(bytes.count) B"
        case .close(let code, let reason): return "CLOSE \(code.map(String.init) ?? "-") \(String(decoding: reason, as: UTF8.self).debugDescription)"
        case .disconnect: return "DISCONNECT"
        }
    }

    /// The event's text when it is a TEXT event.
    var textValue: String? {
        if case .text(let bytes) = self { return String(decoding: bytes, as: UTF8.self) }
        return nil
    }

    // MARK: - Encoding

    var encoded: [UInt8] {
        func event(_ name: String, _ content: [UInt8]?) -> [UInt8] {
            guard let content else { return Array("\(name)\r\n".utf8) }
            return Array("\(name) \(String(content.count, radix: 16))\r\n".utf8) + content + [13, 10]
        }
        switch self {
        case .open: return event("OPEN", nil)
        case .text(let bytes): return event("TEXT", bytes)
        case .binary(let bytes): return event("BINARY", bytes)
        case .ping(let bytes): return event("PING", bytes.isEmpty ? nil : bytes)
        case .pong(let bytes): return event("PONG", bytes.isEmpty ? nil : bytes)
        case .close(let code, let reason):
            guard let code else { return event("CLOSE", nil) }
            return event("CLOSE", [UInt8(code >> 8), UInt8(code & 0xFF)] + reason)
        case .disconnect: return event("DISCONNECT", nil)
        }
    }

    static func encode(_ events: [WOHEvent]) -> [UInt8] {
        events.flatMap(\.encoded)
    }

    // MARK: - Parsing

    /// Parses a whole body; throws `.malformed` naming the offset of the first bad byte.
    static func parse(_ body: [UInt8]) throws -> [WOHEvent] {
        var events: [WOHEvent] = []
        var index = 0
        func fail(_ what: String) -> HarnessError {
            HarnessError.malformed("websocket-events body: \(what) at byte \(index) of \(String(decoding: body.prefix(200), as: UTF8.self).debugDescription)")
        }
        while index < body.count {
            guard let lineEnd = (index..<(body.count - 1)).first(where: { body[$0] == 13 && body[$0 + 1] == 10 }) else {
                throw fail("event line without CRLF")
            }
            let line = String(decoding: body[index..<lineEnd], as: UTF8.self)
            index = lineEnd + 2
            let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
            var content: [UInt8]?
            if parts.count == 2 {
                guard let length = Int(parts[1], radix: 16), length >= 0, length <= body.count - index - 2 else {
                    throw fail("bad length \(parts[1].debugDescription)")
                }
                content = Array(body[index..<(index + length)])
                index += length
                guard body[index] == 13, body[index + 1] == 10 else { throw fail("content not followed by CRLF") }
                index += 2
            }
            let bytes = content ?? []
            switch parts[0] {
            case "OPEN": events.append(.open)
            case "TEXT": events.append(.text(bytes))
            case "BINARY": events.append(.binary(bytes))
            case "PING": events.append(.ping(bytes))
            case "PONG": events.append(.pong(bytes))
            case "DISCONNECT": events.append(.disconnect)
            case "CLOSE":
                guard bytes.count != 1 else { throw fail("CLOSE with one byte") }
                events.append(.close(code: bytes.count >= 2 ? UInt16(bytes[0]) << 8 | UInt16(bytes[1]) : nil, reason: Array(bytes.dropFirst(2))))
            default: throw fail("unknown event \(parts[0].debugDescription)")
            }
        }
        return events
    }

    /// `c:` + a GRIP control message as a TEXT event.
    static func control(_ json: String) -> WOHEvent { .text("c:" + json) }

    static func subscribe(_ channel: String) -> WOHEvent { control(#"{"type":"subscribe","channel":"\#(channel)"}"#) }
}
