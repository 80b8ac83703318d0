/// Frame opcodes of RFC 6455 §5.2. The reserved values (3–7, 11–15) have no
/// case: a frame carrying one is a protocol error, so it never becomes a value.
public enum WebSocketOpcode: UInt8, Sendable {
    case continuation = 0
    case text = 1
    case binary = 2
    case close = 8
    case ping = 9
    case pong = 10

    /// Close, ping and pong: never fragmented, payload at most 125 bytes,
    /// allowed between the fragments of a data message.
    @inline(__always)
    public var isControl: Bool {
        rawValue & 0x08 != 0
    }
}

/// The fixed part of a frame (RFC 6455 §5.2) without the masking key, which
/// the decoder keeps apart and the encoder takes as an argument.
public struct WebSocketFrameHeader: Sendable, Equatable {
    public var fin: Bool
    /// "Per-message compressed" under permessage-deflate (RFC 7692); 0 otherwise.
    public var rsv1: Bool
    public var opcode: WebSocketOpcode
    public var masked: Bool
    public var payloadLength: Int

    public init(fin: Bool, rsv1: Bool = false, opcode: WebSocketOpcode, masked: Bool, payloadLength: Int) {
        self.fin = fin
        self.rsv1 = rsv1
        self.opcode = opcode
        self.masked = masked
        self.payloadLength = payloadLength
    }

    /// Control frames carry at most this many payload bytes.
    public static let maxControlPayloadBytes = 125

    /// Bytes the header occupies on the wire with the shortest length encoding.
    public var encodedCount: Int {
        let lengthCount = payloadLength < 126 ? 0 : (payloadLength <= 0xFFFF ? 2 : 8)
        return 2 + lengthCount + (masked ? 4 : 0)
    }

    /// Header bytes on the wire, given its first two bytes: 2, the extended
    /// length (0, 2 or 8) and the masking key (0 or 4).
    @inline(__always)
    static func encodedCount(secondByte: UInt8) -> Int {
        let lengthCode = secondByte & 0x7F
        let lengthCount = lengthCode == 126 ? 2 : (lengthCode == 127 ? 8 : 0)
        return 2 + lengthCount + (secondByte & 0x80 != 0 ? 4 : 0)
    }
}
