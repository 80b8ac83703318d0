/// Writes WebSocket frames (RFC 6455 §5.2) by appending to a byte array.
///
/// Like `HTTPWriter`, the encoder does not validate: callers pass opcodes and
/// payloads that are legal for the frame (control payloads ≤ 125 bytes, FIN on
/// control frames). Lengths always use the shortest encoding.
public enum WebSocketEncoder {
    public typealias MaskKey = (UInt8, UInt8, UInt8, UInt8)

    /// The header (and masking key when given) of a frame. `header.masked` is
    /// ignored: a frame is masked exactly when `maskKey` is non-nil.
    public static func appendHeader(_ header: WebSocketFrameHeader, maskKey: MaskKey? = nil, to out: inout [UInt8]) {
        var first = header.opcode.rawValue
        if header.fin { first |= 0x80 }
        if header.rsv1 { first |= 0x40 }
        out.append(first)
        let maskBit: UInt8 = maskKey == nil ? 0 : 0x80
        let length = max(0, header.payloadLength)
        if length < 126 {
            out.append(maskBit | UInt8(length))
        } else if length <= 0xFFFF {
            out.append(maskBit | 126)
            out.append(UInt8(truncatingIfNeeded: length >> 8))
            out.append(UInt8(truncatingIfNeeded: length))
        } else {
            out.append(maskBit | 127)
            let wide = UInt64(length)
            for shift in stride(from: 56, through: 0, by: -8) {
                out.append(UInt8(truncatingIfNeeded: wide >> UInt64(shift)))
            }
        }
        if let maskKey {
            out.append(maskKey.0)
            out.append(maskKey.1)
            out.append(maskKey.2)
            out.append(maskKey.3)
        }
    }

    /// One frame carrying `payload`; `maskKey` non-nil → masked (client side).
    public static func appendFrame(
        opcode: WebSocketOpcode, payload: UnsafeRawBufferPointer, fin: Bool = true,
        maskKey: MaskKey? = nil, to out: inout [UInt8]
    ) {
        let header = WebSocketFrameHeader(fin: fin, opcode: opcode, masked: maskKey != nil, payloadLength: payload.count)
        reserve(header.encodedCount + payload.count, in: &out)
        appendHeader(header, maskKey: maskKey, to: &out)
        let start = out.count
        out.append(contentsOf: payload)
        if let maskKey {
            WebSocketMasking.applyInPlace(key: WebSocketMasking.key(maskKey), phase: 0, &out, from: start)
        }
    }

    /// A single final frame as a new array.
    public static func frame(opcode: WebSocketOpcode, payload: [UInt8], maskKey: MaskKey? = nil) -> [UInt8] {
        var out: [UInt8] = []
        payload.withUnsafeBytes { appendFrame(opcode: opcode, payload: $0, maskKey: maskKey, to: &out) }
        return out
    }

    /// A data message split into frames of at most `maxFrameBytes` payload: the
    /// first carries `opcode`, the rest are continuations, the last has FIN.
    /// An empty payload is one empty final frame. With `maskKey` every frame is
    /// masked with that key.
    public static func appendMessage(
        opcode: WebSocketOpcode, payload: UnsafeRawBufferPointer, maxFrameBytes: Int = 16384,
        maskKey: MaskKey? = nil, to out: inout [UInt8]
    ) {
        let frameBytes = max(1, maxFrameBytes)
        let frameCount = max(1, (payload.count + frameBytes - 1) / frameBytes)
        reserve(payload.count + frameCount * 14, in: &out)
        var offset = 0
        var frameOpcode = opcode
        repeat {
            let end = min(payload.count, offset + frameBytes)
            let piece = UnsafeRawBufferPointer(rebasing: payload[offset..<end])
            appendFrame(opcode: frameOpcode, payload: piece, fin: end == payload.count, maskKey: maskKey, to: &out)
            offset = end
            frameOpcode = .continuation
        } while offset < payload.count
    }

    /// A published `ws-message` as the client gets it: a control frame (ping, pong) keeps
    /// the first 125 bytes, a data message is split into 16 KiB frames.
    public static func publishedMessage(opcode: WebSocketOpcode, _ content: [UInt8]) -> [UInt8] {
        var frame: [UInt8] = []
        frame.reserveCapacity(content.count + 14)
        content.withUnsafeBytes { bytes in
            if opcode.isControl {
                appendFrame(opcode: opcode, payload: UnsafeRawBufferPointer(rebasing: bytes.prefix(125)), to: &frame)
            } else {
                appendMessage(opcode: opcode, payload: bytes, maxFrameBytes: 16384, to: &frame)
            }
        }
        return frame
    }

    /// Makes room for `extra` more bytes, growing geometrically: an exact
    /// `reserveCapacity` on every append would copy the whole array each time.
    @inline(__always)
    static func reserve(_ extra: Int, in out: inout [UInt8]) {
        let needed = out.count + extra
        if out.capacity < needed { out.reserveCapacity(max(needed, 2 * out.capacity)) }
    }

    /// A close frame payload: nothing without a code, else the code big-endian
    /// and the reason, cut at a UTF-8 boundary to fit 125 bytes.
    public static func closePayload(code: UInt16?, reason: [UInt8]) -> [UInt8] {
        guard let code else { return [] }
        var out: [UInt8] = [UInt8(truncatingIfNeeded: code >> 8), UInt8(truncatingIfNeeded: code)]
        var end = min(reason.count, WebSocketFrameHeader.maxControlPayloadBytes - 2)
        // Back off over continuation bytes so a character is never split.
        if end < reason.count {
            while end > 0 && reason[end] & 0xC0 == 0x80 { end -= 1 }
        }
        out.append(contentsOf: reason[..<end])
        return out
    }
}
