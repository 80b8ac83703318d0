/// RFC 6455 frame opcodes the driver knows.
public enum WebSocketOpcode: UInt8, Sendable {
    case continuation = 0x0
    case text = 0x1
    case binary = 0x2
    case close = 0x8
    case ping = 0x9
    case pong = 0xA

    public var isControl: Bool { rawValue & 0x8 != 0 }
}

/// A frame or protocol violation the reader cannot go on from.
public enum WebSocketError: Error, Sendable, Equatable {
    case reservedBits
    case unknownOpcode(UInt8)
    case badControlFrame
    case unexpectedContinuation
    case interleavedMessage
    case messageTooLarge
}

/// Writes frames. A client masks everything it sends (RFC 6455 §5.3); a server (the tests'
/// echo) passes `mask: nil`.
public enum WebSocketFrameEncoder {
    public static func append(
        opcode: WebSocketOpcode, payload: UnsafeRawBufferPointer, mask: UInt32?, fin: Bool = true, to out: inout [UInt8]
    ) {
        out.append((fin ? 0x80 : 0) | opcode.rawValue)
        let maskBit: UInt8 = mask == nil ? 0 : 0x80
        let length = payload.count
        if length < 126 {
            out.append(maskBit | UInt8(length))
        } else if length <= 0xFFFF {
            out.append(maskBit | 126)
            out.append(UInt8(length >> 8))
            out.append(UInt8(length & 0xFF))
        } else {
            out.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: UInt64(length) >> UInt64(shift))) }
        }
        guard let mask else {
            out.append(contentsOf: payload)
            return
        }
        let key = [UInt8(mask >> 24), UInt8(truncatingIfNeeded: mask >> 16), UInt8(truncatingIfNeeded: mask >> 8), UInt8(truncatingIfNeeded: mask)]
        out.append(contentsOf: key)
        for (index, byte) in payload.enumerated() { out.append(byte ^ key[index & 3]) }
    }

    public static func append(opcode: WebSocketOpcode, payload: [UInt8], mask: UInt32?, fin: Bool = true, to out: inout [UInt8]) {
        payload.withUnsafeBytes { append(opcode: opcode, payload: $0, mask: mask, fin: fin, to: &out) }
    }
}
