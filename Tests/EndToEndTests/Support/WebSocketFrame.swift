/// One WebSocket frame exactly as it is (or will be) on the wire: any opcode, any reserved
/// bits, masked or not, control payloads of any size. Written by hand, without Wire's
/// codec, so the conformance tests can send the frames a correct encoder refuses to make
/// and a codec bug in pushpind cannot hide behind the same bug here.
struct WebSocketFrame: Sendable, Equatable, CustomStringConvertible {
    /// The RFC 6455 opcodes, plus the raw value of any other (reserved) one.
    enum Opcode {
        static let continuation: UInt8 = 0
        static let text: UInt8 = 1
        static let binary: UInt8 = 2
        static let close: UInt8 = 8
        static let ping: UInt8 = 9
        static let pong: UInt8 = 10
    }

    var fin = true
    /// RSV1…RSV3 as the three bits 0b100, 0b010, 0b001.
    var rsv: UInt8 = 0
    var opcode: UInt8
    var masked = false
    var payload: [UInt8] = []

    var isControl: Bool { opcode & 0x08 != 0 }

    var description: String {
        let name: String
        switch opcode {
        case Opcode.continuation: name = "CONT"
        case Opcode.text: name = "TEXT"
        case Opcode.binary: name = "BINARY"
        case Opcode.close: name = "CLOSE"
        case Opcode.ping: name = "PING"
        case Opcode.pong: name = "PONG"
        default: name = "OP\(opcode)"
        }
        var text = "\(name)\(fin ? "" : "(no FIN)") \(payload.count) B"
        if rsv != 0 { text += " rsv=\(rsv)" }
        if masked { text += " masked" }
        return text
    }

    // MARK: - Encoding

    /// The frame's bytes. Masked frames get a random key unless `maskKey` is given.
    /// `lengthOverride` announces a different payload length than `payload` has (for the
    /// "message too big" cases, which send a header and only part of the payload).
    func encoded(maskKey: [UInt8]? = nil, lengthOverride: Int? = nil) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + 14)
        out.append((fin ? 0x80 : 0) | (rsv & 0x07) << 4 | (opcode & 0x0F))
        let maskBit: UInt8 = masked ? 0x80 : 0
        let length = lengthOverride ?? payload.count
        if length < 126 {
            out.append(maskBit | UInt8(length))
        } else if length <= 0xFFFF {
            out += [maskBit | 126, UInt8(length >> 8), UInt8(length & 0xFF)]
        } else {
            out.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: UInt64(length) >> UInt64(shift))) }
        }
        guard masked else { return out + payload }
        var generator = SystemRandomNumberGenerator()
        let key = maskKey ?? (0..<4).map { _ in UInt8.random(in: 0...255, using: &generator) }
        out += key
        let start = out.count
        out += payload
        out.withUnsafeMutableBufferPointer { buffer in
            for index in 0..<payload.count { buffer[start + index] ^= key[index & 3] }
        }
        return out
    }

    // MARK: - Building

    /// A frame as a client must send it: masked.
    static func client(_ opcode: UInt8, _ payload: [UInt8] = [], fin: Bool = true, rsv: UInt8 = 0) -> WebSocketFrame {
        WebSocketFrame(fin: fin, rsv: rsv, opcode: opcode, masked: true, payload: payload)
    }

    static func text(_ text: String, fin: Bool = true) -> WebSocketFrame { client(Opcode.text, Array(text.utf8), fin: fin) }

    /// A close frame payload: the code big-endian, then the reason.
    static func closePayload(code: UInt16?, reason: [UInt8] = []) -> [UInt8] {
        guard let code else { return reason }
        return [UInt8(code >> 8), UInt8(code & 0xFF)] + reason
    }

    /// The code of a close payload (nil when empty, or one byte long).
    static func closeCode(of payload: [UInt8]) -> UInt16? {
        payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : nil
    }
}

/// A whole message or control frame as the client saw it: fragments joined.
enum WebSocketMessage: Sendable, Equatable, CustomStringConvertible {
    case text([UInt8])
    case binary([UInt8])
    case ping([UInt8])
    case pong([UInt8])
    /// `code` nil for an empty close payload.
    case close(code: UInt16?, reason: [UInt8])

    static func text(_ string: String) -> WebSocketMessage { .text(Array(string.utf8)) }

    var description: String {
        func show(_ bytes: [UInt8]) -> String {
            if bytes.count > 24 { return "\(bytes.count) B" }
            if let text = String(validating: bytes, as: UTF8.self), text.unicodeScalars.allSatisfy({ $0.value >= 32 && $0.value < 127 }) {
                return text.debugDescription
            }
            return "\(bytes.count) B"
        }
        switch self {
        case .text(let bytes): return "text \(show(bytes))"
        case .binary(let bytes): return "binary \(show(bytes))"
        case .ping(let bytes): return "ping \(show(bytes))"
        case .pong(let bytes): return "pong \(show(bytes))"
        case .close(let code, let reason): return "close \(code.map(String.init) ?? "(no code)")\(reason.isEmpty ? "" : " " + show(reason))"
        }
    }
}
