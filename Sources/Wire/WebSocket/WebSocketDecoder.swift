/// Incremental frame decoder for one direction of a WebSocket connection
/// (RFC 6455 §5): bytes in any split, complete events out, in order.
///
/// Data messages are reassembled from their fragments (control frames between
/// fragments are emitted at once); text is UTF-8 checked as it arrives, so a
/// bad byte fails the connection without waiting for the rest of the message.
/// A frame whose header and payload are both in the input being decoded is
/// unmasked straight into the event's array: one copy, no staging buffer.
///
/// After a throw the decoder stays failed (every later call throws the same
/// error) and the connection must be closed with `error.closeCode`. After a
/// close frame, later bytes are ignored: nothing may follow it (§5.5.1).
public struct WebSocketDecoder: Sendable {
    private typealias Emit = (WebSocketEvent, _ compressed: Bool) -> Void

    private enum Phase: Sendable {
        case header
        case payload
        case closed
        case failed
    }

    /// True for frames a server receives (clients must mask), false for frames
    /// a client receives (servers must not).
    public let requireMask: Bool
    /// Largest reassembled data message; 1009 as soon as a header announces more.
    public let maxMessageBytes: Int
    /// Accept RSV1 on the first frame of a data message (permessage-deflate).
    public let allowRSV1: Bool

    private var phase = Phase.header
    private var failure = WebSocketError(closeCode: 0, reason: "")
    /// Bytes of a header that was split across reads (at most 14).
    private var partialHeader: [UInt8] = []

    /// The frame whose payload is being read and what is left of it.
    private var frame = WebSocketFrameHeader(fin: true, opcode: .binary, masked: false, payloadLength: 0)
    private var frameRemaining = 0
    private var maskKey: UInt32 = 0
    /// Payload bytes of this frame already unmasked, mod 4.
    private var maskPhase = 0

    /// Opcode (text or binary) of the data message being reassembled; nil between messages.
    private var messageOpcode: WebSocketOpcode?
    private var messageCompressed = false
    /// Payload so far of the data message; empty whenever `messageOpcode` is nil.
    private var message: [UInt8] = []
    private var utf8 = UTF8StreamValidator()
    /// Payload so far of a control frame split across reads.
    private var control: [UInt8] = []

    public init(requireMask: Bool, maxMessageBytes: Int = 1 << 20, allowRSV1: Bool = false) {
        self.requireMask = requireMask
        self.maxMessageBytes = max(0, maxMessageBytes)
        self.allowRSV1 = allowRSV1
    }

    /// A fragmented data message has started and not yet finished.
    public var isMessageInProgress: Bool { messageOpcode != nil }

    /// A close frame has been decoded; later input is ignored.
    public var isClosed: Bool { phase == .closed }

    /// Consumes `bytes` (any split of the stream) and emits the complete events
    /// they finish, in order. Throws on the first protocol violation; events
    /// before it have already been emitted.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer, emit: (WebSocketEvent) -> Void) throws(WebSocketError) {
        try decode(bytes, emitCompressed: { event, _ in emit(event) })
    }

    /// `decode` for permessage-deflate: `emit` also gets whether a text/binary
    /// message had RSV1 set, i.e. is still compressed (and was not UTF-8
    /// checked). Always false without `allowRSV1` and for control frames.
    public mutating func decode(
        _ bytes: UnsafeRawBufferPointer, emitCompressed emit: (WebSocketEvent, _ compressed: Bool) -> Void
    ) throws(WebSocketError) {
        _ = try run(bytes, stopAfterEvent: false, emit: emit)
    }

    /// `decode(_:emitCompressed:)` that stops right after the first event it
    /// emits and returns how many bytes it consumed; the caller passes the rest
    /// later. A caller with no room for more messages (flow control) can thus
    /// stop between two messages and leave the rest unread. Bytes after a
    /// close frame count as consumed.
    public mutating func decodeNext(
        _ bytes: UnsafeRawBufferPointer, emitCompressed emit: (WebSocketEvent, _ compressed: Bool) -> Void
    ) throws(WebSocketError) -> Int {
        try run(bytes, stopAfterEvent: true, emit: emit)
    }

    private mutating func run(_ bytes: UnsafeRawBufferPointer, stopAfterEvent: Bool, emit: Emit) throws(WebSocketError) -> Int {
        var offset = 0
        var emitted = false
        func emitting(_ event: WebSocketEvent, _ compressed: Bool) {
            emitted = true
            emit(event, compressed)
        }
        do throws(WebSocketError) {
            while offset < bytes.count && !(stopAfterEvent && emitted) {
                switch phase {
                case .header:
                    offset = try readHeader(bytes, from: offset, emit: emitting)
                case .payload:
                    offset = try readPayload(bytes, from: offset, emit: emitting)
                case .closed:
                    return bytes.count
                case .failed:
                    throw failure
                }
            }
            if phase == .failed { throw failure }
            return offset
        } catch {
            phase = .failed
            failure = error
            throw error
        }
    }

    // MARK: - Headers

    /// Reads one header. When the whole frame is in `bytes` it is delivered
    /// right away; otherwise the payload phase takes over.
    private mutating func readHeader(
        _ bytes: UnsafeRawBufferPointer, from start: Int, emit: Emit
    ) throws(WebSocketError) -> Int {
        let available = bytes.count &- start
        guard partialHeader.isEmpty, available >= 2 else {
            return try gatherHeader(bytes, from: start, emit: emit)
        }
        let headerCount = WebSocketFrameHeader.encodedCount(secondByte: bytes[start &+ 1])
        guard available >= headerCount else {
            return try gatherHeader(bytes, from: start, emit: emit)
        }
        let (header, key) = try parseHeader(UnsafeRawBufferPointer(rebasing: bytes[start..<start &+ headerCount])).get()
        let payloadStart = start &+ headerCount
        let length = header.payloadLength
        // A whole unfragmented frame: no reassembly state involved.
        if header.fin, header.opcode != .continuation, length <= bytes.count &- payloadStart {
            let source = UnsafeRawBufferPointer(rebasing: bytes[payloadStart..<payloadStart &+ length])
            let payload = Self.unmaskedCopy(source, key: header.masked ? key : nil)
            try deliverWholeFrame(header, payload, emit: emit)
            return payloadStart &+ length
        }
        try beginFrame(header, key: key, emit: emit)
        return payloadStart
    }

    /// Collects a header that arrives in pieces; parses it once complete.
    private mutating func gatherHeader(
        _ bytes: UnsafeRawBufferPointer, from start: Int, emit: Emit
    ) throws(WebSocketError) -> Int {
        var offset = start
        while offset < bytes.count {
            let needed = partialHeader.count < 2
                ? 2 : WebSocketFrameHeader.encodedCount(secondByte: partialHeader[1])
            if partialHeader.count == needed { break }
            let take = min(needed &- partialHeader.count, bytes.count &- offset)
            partialHeader.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset &+ take]))
            offset &+= take
            // Refuse a bad frame start at once rather than after up to 12 more header bytes.
            if needed == 2 && partialHeader.count == 2 {
                _ = try checkLeadingBytes(partialHeader[0], partialHeader[1]).get()
            }
        }
        guard partialHeader.count >= 2,
              partialHeader.count == WebSocketFrameHeader.encodedCount(secondByte: partialHeader[1])
        else { return offset }
        let parsed = partialHeader.withUnsafeBytes { parseHeader($0) }
        partialHeader.removeAll(keepingCapacity: true)
        let (header, key) = try parsed.get()
        try beginFrame(header, key: key, emit: emit)
        return offset
    }

    /// Validates a complete header (exactly its bytes) against RFC 6455 and the
    /// state of the message in progress.
    private func parseHeader(_ raw: UnsafeRawBufferPointer) -> Result<(WebSocketFrameHeader, UInt32), WebSocketError> {
        let first = raw[0]
        let second = raw[1]
        let opcode: WebSocketOpcode
        switch checkLeadingBytes(first, second) {
        case .success(let valid): opcode = valid
        case .failure(let error): return .failure(error)
        }
        let lengthCode = Int(second & 0x7F)
        var length = lengthCode
        var cursor = 2
        if lengthCode == 126 {
            length = Int(raw[2]) << 8 | Int(raw[3])
            cursor = 4
        } else if lengthCode == 127 {
            var value: UInt64 = 0
            for i in 2..<10 { value = value << 8 | UInt64(raw[i]) }
            if value >> 63 != 0 { return .failure(.protocolError("64-bit payload length with the top bit set")) }
            guard let exact = Int(exactly: value) else { return .failure(tooBig) }
            length = exact
            cursor = 10
        }
        if !opcode.isControl && length > maxMessageBytes &- message.count { return .failure(tooBig) }
        let masked = second & 0x80 != 0
        let key = masked ? raw.loadUnaligned(fromByteOffset: cursor, as: UInt32.self) : 0
        let header = WebSocketFrameHeader(
            fin: first & 0x80 != 0, rsv1: first & 0x40 != 0, opcode: opcode, masked: masked, payloadLength: length)
        return .success((header, key))
    }

    /// The checks that need only the first two bytes: reserved bits, opcode,
    /// control-frame rules, masking direction and fragment sequencing.
    private func checkLeadingBytes(_ first: UInt8, _ second: UInt8) -> Result<WebSocketOpcode, WebSocketError> {
        if first & 0x30 != 0 { return .failure(.protocolError("reserved bits RSV2/RSV3 set")) }
        guard let opcode = WebSocketOpcode(rawValue: first & 0x0F) else {
            return .failure(.protocolError("reserved opcode \(first & 0x0F)"))
        }
        let fin = first & 0x80 != 0
        let rsv1 = first & 0x40 != 0
        let masked = second & 0x80 != 0
        if opcode.isControl {
            if !fin { return .failure(.protocolError("fragmented control frame")) }
            if Int(second & 0x7F) > WebSocketFrameHeader.maxControlPayloadBytes {
                return .failure(.protocolError("control frame payload over 125 bytes"))
            }
            if rsv1 { return .failure(.protocolError("RSV1 set on a control frame")) }
        } else if rsv1 {
            if !allowRSV1 { return .failure(.protocolError("RSV1 set without a negotiated extension")) }
            if opcode == .continuation { return .failure(.protocolError("RSV1 set on a continuation frame")) }
        }
        if masked != requireMask {
            return .failure(.protocolError(masked ? "masked frame from a server" : "unmasked frame from a client"))
        }
        if opcode == .continuation && messageOpcode == nil {
            return .failure(.protocolError("continuation frame without a message in progress"))
        }
        if (opcode == .text || opcode == .binary) && messageOpcode != nil {
            return .failure(.protocolError("new data message inside a fragmented message"))
        }
        return .success(opcode)
    }

    private var tooBig: WebSocketError {
        .messageTooBig("message over \(maxMessageBytes) bytes")
    }

    /// Enters the payload phase for a validated header (finishing at once when empty).
    private mutating func beginFrame(
        _ header: WebSocketFrameHeader, key: UInt32, emit: Emit
    ) throws(WebSocketError) {
        frame = header
        frameRemaining = header.payloadLength
        maskKey = key
        maskPhase = 0
        if header.opcode.isControl {
            control.reserveCapacity(header.payloadLength)
        } else if header.opcode != .continuation {
            messageOpcode = header.opcode
            messageCompressed = header.rsv1
            utf8 = UTF8StreamValidator()
            // Only for the first frame: reserving per fragment would regrow exactly, not geometrically.
            message.reserveCapacity(min(header.payloadLength, 1 << 16))
        }
        phase = .payload
        if frameRemaining == 0 { try finishFrame(emit: emit) }
    }

    // MARK: - Payloads

    /// Takes as much of the current frame's payload as `bytes` holds.
    private mutating func readPayload(
        _ bytes: UnsafeRawBufferPointer, from start: Int, emit: Emit
    ) throws(WebSocketError) -> Int {
        let take = min(frameRemaining, bytes.count &- start)
        let chunk = UnsafeRawBufferPointer(rebasing: bytes[start..<start &+ take])
        let key: UInt32? = frame.masked ? maskKey : nil
        let phase = maskPhase
        if frame.opcode.isControl {
            Self.appendUnmasked(chunk, to: &control, key: key, phase: phase)
        } else {
            let before = message.count
            Self.appendUnmasked(chunk, to: &message, key: key, phase: phase)
            if messageOpcode == .text && !messageCompressed {
                var validator = utf8
                let valid = message.withUnsafeBytes { validator.validate(UnsafeRawBufferPointer(rebasing: $0[before...])) }
                utf8 = validator
                if !valid { throw Self.badText }
            }
        }
        frameRemaining &-= take
        maskPhase = (maskPhase &+ take) & 3
        if frameRemaining == 0 { try finishFrame(emit: emit) }
        return start &+ take
    }

    /// Static on purpose: a method on `self` would copy `self`, and with it a
    /// second reference to `buffer`, turning every append into a full copy.
    private static func appendUnmasked(_ chunk: UnsafeRawBufferPointer, to buffer: inout [UInt8], key: UInt32?, phase: Int) {
        let before = buffer.count
        buffer.append(contentsOf: chunk)
        if let key { WebSocketMasking.applyInPlace(key: key, phase: phase, &buffer, from: before) }
    }

    /// The frame's payload is complete: deliver a control frame, or the message
    /// when this was its final fragment.
    private mutating func finishFrame(emit: Emit) throws(WebSocketError) {
        phase = .header
        if frame.opcode.isControl {
            let payload = control
            control = []
            try deliverControl(frame.opcode, payload, emit: emit)
            return
        }
        guard frame.fin, let opcode = messageOpcode else { return }
        if opcode == .text && !messageCompressed && !utf8.isComplete { throw Self.badText }
        let payload = message
        message = []
        messageOpcode = nil
        emit(opcode == .text ? .text(payload) : .binary(payload), messageCompressed)
    }

    /// An unfragmented frame that arrived whole, outside any reassembly.
    private mutating func deliverWholeFrame(
        _ header: WebSocketFrameHeader, _ payload: [UInt8], emit: Emit
    ) throws(WebSocketError) {
        switch header.opcode {
        case .text:
            if !header.rsv1 && !UTF8StreamValidator.isValid(payload) { throw Self.badText }
            emit(.text(payload), header.rsv1)
        case .binary:
            emit(.binary(payload), header.rsv1)
        default:
            try deliverControl(header.opcode, payload, emit: emit)
        }
    }

    private mutating func deliverControl(
        _ opcode: WebSocketOpcode, _ payload: [UInt8], emit: Emit
    ) throws(WebSocketError) {
        switch opcode {
        case .ping:
            emit(.ping(payload), false)
        case .pong:
            emit(.pong(payload), false)
        case .close:
            let (code, reason) = try Self.parseClosePayload(payload).get()
            phase = .closed
            message = []
            messageOpcode = nil
            emit(.close(code: code, reason: reason), false)
        case .continuation, .text, .binary:
            break
        }
    }

    private static let badText = WebSocketError.invalidUTF8("invalid UTF-8 in text message")

    /// Splits a close payload (§5.5.1): empty → no code; one byte → 1002; a code
    /// that may not be sent → 1002; a reason that is not UTF-8 → 1007.
    static func parseClosePayload(_ payload: [UInt8]) -> Result<(UInt16?, [UInt8]), WebSocketError> {
        if payload.isEmpty { return .success((nil, [])) }
        guard payload.count >= 2 else { return .failure(.protocolError("close payload of one byte")) }
        let code = UInt16(payload[0]) << 8 | UInt16(payload[1])
        guard WebSocketCloseCode.isValidOnWire(code) else {
            return .failure(.protocolError("invalid close code \(code)"))
        }
        let reason = Array(payload[2...])
        guard UTF8StreamValidator.isValid(reason) else { return .failure(.invalidUTF8("invalid UTF-8 in close reason")) }
        return .success((code, reason))
    }

    /// The payload as a new array, unmasked on the way when `key` is set.
    private static func unmaskedCopy(_ source: UnsafeRawBufferPointer, key: UInt32?) -> [UInt8] {
        guard let key, let base = source.baseAddress, !source.isEmpty else { return Array(source) }
        return [UInt8](unsafeUninitializedCapacity: source.count) { out, initialized in
            guard let destination = out.baseAddress else { return }
            WebSocketMasking.apply(
                key: key, phase: 0, source: base, destination: UnsafeMutableRawPointer(destination), count: source.count)
            initialized = source.count
        }
    }
}
