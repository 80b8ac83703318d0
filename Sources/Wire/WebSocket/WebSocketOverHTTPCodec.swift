/// One event of a WebSocket-over-HTTP body (`application/websocket-events`).
public enum WebSocketOverHTTPEvent: Sendable, Equatable {
    case open
    /// A complete message: WOH never carries fragments.
    case text([UInt8])
    case binary([UInt8])
    case ping([UInt8])
    case pong([UInt8])
    /// `code` nil: a CLOSE without content (and then no reason either).
    case close(code: UInt16?, reason: [UInt8])
    case disconnect
}

/// A malformed WOH body; the connection it came on is failed.
public struct WebSocketOverHTTPError: Error, Sendable, Equatable {
    public var message: String

    public init(message: String) {
        self.message = message
    }
}

/// The event encoding of WOH request and response bodies: `TYPE\r\n`, or
/// `TYPE <hex length>\r\n<content>\r\n`, concatenated; an empty body has none.
public enum WebSocketOverHTTPCodec {
    private enum Kind {
        case open, text, binary, ping, pong, close, disconnect
    }

    /// Appends one event. TEXT and BINARY always carry a length (even 0); PING,
    /// PONG and CLOSE omit it when they have no content. A close without a code
    /// has no content, so its reason is dropped.
    public static func append(_ event: WebSocketOverHTTPEvent, to out: inout [UInt8]) {
        switch event {
        case .open:
            appendName("OPEN", to: &out)
            appendCRLF(to: &out)
        case .text(let content):
            appendEvent("TEXT", content, to: &out)
        case .binary(let content):
            appendEvent("BINARY", content, to: &out)
        case .ping(let content):
            appendEvent("PING", content, omitEmpty: true, to: &out)
        case .pong(let content):
            appendEvent("PONG", content, omitEmpty: true, to: &out)
        case .close(let code, let reason):
            var content: [UInt8] = []
            if let code {
                content.reserveCapacity(2 + reason.count)
                content.append(UInt8(truncatingIfNeeded: code >> 8))
                content.append(UInt8(truncatingIfNeeded: code))
                content.append(contentsOf: reason)
            }
            appendEvent("CLOSE", content, omitEmpty: true, to: &out)
        case .disconnect:
            appendName("DISCONNECT", to: &out)
            appendCRLF(to: &out)
        }
    }

    /// A whole body encoded.
    public static func encode(_ events: [WebSocketOverHTTPEvent]) -> [UInt8] {
        var out: [UInt8] = []
        for event in events { append(event, to: &out) }
        return out
    }

    /// Parses a whole body. Type names are upper case; lengths are hex in either
    /// case. Rejected: unknown types, missing or non-hex lengths, lengths past
    /// the end of the body, missing CRLFs, TEXT or close reasons that are not
    /// UTF-8, and one-byte CLOSE content. OPEN/DISCONNECT content is ignored.
    public static func decode(_ body: [UInt8]) -> Result<[WebSocketOverHTTPEvent], WebSocketOverHTTPError> {
        var events: [WebSocketOverHTTPEvent] = []
        var index = 0
        while index < body.count {
            switch decodeEvent(body, at: &index) {
            case .success(let event): events.append(event)
            case .failure(let error): return .failure(error)
            }
        }
        return .success(events)
    }

    // MARK: - Decoding

    private static func decodeEvent(_ body: [UInt8], at index: inout Int) -> Result<WebSocketOverHTTPEvent, WebSocketOverHTTPError> {
        let start = index
        while index < body.count, body[index] &- UInt8(ascii: "A") < 26 { index += 1 }
        guard let kind = kind(body[start..<index]) else {
            let name = String(decoding: body[start..<min(index, start + 16)], as: UTF8.self)
            return .failure(error(name.isEmpty ? "expected an event type" : "unknown event type \(name)", at: start))
        }
        guard index < body.count else { return .failure(error("truncated event", at: start)) }
        var content: ArraySlice<UInt8>?
        if body[index] == UInt8(ascii: " ") {
            index += 1
            switch readContent(body, at: &index) {
            case .success(let slice): content = slice
            case .failure(let failure): return .failure(failure)
            }
        } else {
            guard index + 2 <= body.count else { return .failure(error("truncated event", at: start)) }
            guard isCRLF(body, index) else { return .failure(error("expected CRLF after event type", at: index)) }
            index += 2
        }
        return makeEvent(kind, content, at: start)
    }

    /// `<hex>\r\n<content>\r\n`, the space already consumed.
    private static func readContent(_ body: [UInt8], at index: inout Int) -> Result<ArraySlice<UInt8>, WebSocketOverHTTPError> {
        let lengthStart = index
        var length = 0
        while index < body.count, let digit = HTTPASCII.hexValue(body[index]) {
            length = length &* 16 &+ digit
            // No valid length exceeds the body; stop before the value can overflow.
            if length > body.count { return .failure(error("event length past the end of the body", at: lengthStart)) }
            index += 1
        }
        guard index > lengthStart else {
            return .failure(index < body.count ? error("bad event length", at: index) : error("truncated event", at: index))
        }
        guard index + 2 <= body.count else { return .failure(error("truncated event", at: index)) }
        guard isCRLF(body, index) else { return .failure(error("bad event length", at: index)) }
        index += 2
        guard length <= body.count - index else { return .failure(error("event content truncated", at: index)) }
        let content = body[index..<index + length]
        index += length
        guard index + 2 <= body.count else { return .failure(error("truncated event", at: index)) }
        guard isCRLF(body, index) else { return .failure(error("expected CRLF after event content", at: index)) }
        index += 2
        return .success(content)
    }

    private static func makeEvent(
        _ kind: Kind, _ content: ArraySlice<UInt8>?, at offset: Int
    ) -> Result<WebSocketOverHTTPEvent, WebSocketOverHTTPError> {
        let bytes = content.map { Array($0) } ?? []
        switch kind {
        case .open:
            return .success(.open)
        case .disconnect:
            return .success(.disconnect)
        case .text:
            guard UTF8StreamValidator.isValid(bytes) else { return .failure(error("TEXT content is not UTF-8", at: offset)) }
            return .success(.text(bytes))
        case .binary:
            return .success(.binary(bytes))
        case .ping:
            return .success(.ping(bytes))
        case .pong:
            return .success(.pong(bytes))
        case .close:
            if bytes.isEmpty { return .success(.close(code: nil, reason: [])) }
            guard bytes.count >= 2 else { return .failure(error("CLOSE content of one byte", at: offset)) }
            let reason = Array(bytes[2...])
            guard UTF8StreamValidator.isValid(reason) else { return .failure(error("CLOSE reason is not UTF-8", at: offset)) }
            return .success(.close(code: UInt16(bytes[0]) << 8 | UInt16(bytes[1]), reason: reason))
        }
    }

    private static func kind(_ name: ArraySlice<UInt8>) -> Kind? {
        switch name.count {
        case 4:
            if name.elementsEqual("OPEN".utf8) { return .open }
            if name.elementsEqual("TEXT".utf8) { return .text }
            if name.elementsEqual("PING".utf8) { return .ping }
            if name.elementsEqual("PONG".utf8) { return .pong }
        case 5:
            if name.elementsEqual("CLOSE".utf8) { return .close }
        case 6:
            if name.elementsEqual("BINARY".utf8) { return .binary }
        case 10:
            if name.elementsEqual("DISCONNECT".utf8) { return .disconnect }
        default:
            break
        }
        return nil
    }

    @inline(__always)
    private static func isCRLF(_ body: [UInt8], _ index: Int) -> Bool {
        body[index] == HTTPASCII.cr && body[index + 1] == HTTPASCII.lf
    }

    private static func error(_ text: String, at offset: Int) -> WebSocketOverHTTPError {
        WebSocketOverHTTPError(message: "\(text) at byte \(offset)")
    }

    // MARK: - Encoding

    private static func appendEvent(_ name: StaticString, _ content: [UInt8], omitEmpty: Bool = false, to out: inout [UInt8]) {
        appendName(name, to: &out)
        if omitEmpty && content.isEmpty {
            appendCRLF(to: &out)
            return
        }
        WebSocketEncoder.reserve(content.count + 16, in: &out)
        out.append(HTTPASCII.sp)
        HTTPWriter.appendHex(content.count, to: &out)
        appendCRLF(to: &out)
        out.append(contentsOf: content)
        appendCRLF(to: &out)
    }

    private static func appendName(_ name: StaticString, to out: inout [UInt8]) {
        name.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    @inline(__always)
    private static func appendCRLF(to out: inout [UInt8]) {
        out.append(HTTPASCII.cr)
        out.append(HTTPASCII.lf)
    }
}
