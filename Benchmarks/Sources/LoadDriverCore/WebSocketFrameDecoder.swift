/// Reads frames from a byte stream split anywhere, reassembling fragmented messages.
///
/// A whole unmasked, unfragmented frame inside one input slice (the common case for small
/// pushed messages) is handed over without copying; anything else is gathered first.
/// Masked frames are accepted too, so the tests' echo server can read a client with it.
public struct WebSocketFrameDecoder: Sendable {
    public enum Event {
        /// A complete text or binary message; the bytes are valid during the call only.
        case message(WebSocketOpcode, UnsafeRawBufferPointer)
        case ping(UnsafeRawBufferPointer)
        case pong
        /// The peer's close frame; nil code when it carried none.
        case close(code: UInt16?)
    }

    public static let maxMessageBytes = 16 << 20

    private var header: [UInt8] = []
    private var frame = FrameHeader(fin: true, opcode: .text, masked: false, mask: (0, 0, 0, 0), length: 0)
    private var inPayload = false
    private var payloadRemaining = 0
    private var maskOffset = 0
    /// Data frames of a message still being assembled; nil between messages.
    private var messageOpcode: WebSocketOpcode?
    private var message: [UInt8] = []
    private var control: [UInt8] = []

    public init() {}

    struct FrameHeader: Sendable {
        var fin: Bool
        var opcode: WebSocketOpcode
        var masked: Bool
        var mask: (UInt8, UInt8, UInt8, UInt8)
        var length: Int
    }

    public mutating func feed(_ input: UnsafeRawBufferPointer, event: (Event) -> Void) throws(WebSocketError) {
        var index = 0
        while index < input.count {
            if inPayload {
                let take = min(payloadRemaining, input.count - index)
                gather(UnsafeRawBufferPointer(rebasing: input[index..<(index + take)]))
                index += take
                payloadRemaining -= take
                if payloadRemaining == 0 { try finishFrame(event) }
                continue
            }
            if header.isEmpty, let parsed = try Self.parseHeader(UnsafeRawBufferPointer(rebasing: input[index...])) {
                let (head, headerLength) = parsed
                let payloadStart = index + headerLength
                if head.fin, !head.masked, !head.opcode.isControl, messageOpcode == nil, input.count - payloadStart >= head.length {
                    guard head.opcode != .continuation else { throw .unexpectedContinuation }
                    event(.message(head.opcode, UnsafeRawBufferPointer(rebasing: input[payloadStart..<(payloadStart + head.length)])))
                    index = payloadStart + head.length
                    continue
                }
                try begin(head)
                index = payloadStart
                if payloadRemaining == 0 { try finishFrame(event) }
                continue
            }
            // The header itself is split across reads: gather it byte by byte.
            header.append(input[index])
            index += 1
            let parsed = try header.withUnsafeBytes { bytes in
                Result { () throws(WebSocketError) in try Self.parseHeader(bytes) }
            }.get()
            if let (head, _) = parsed {
                header.removeAll(keepingCapacity: true)
                try begin(head)
                if payloadRemaining == 0 { try finishFrame(event) }
            }
        }
    }

    private mutating func begin(_ head: FrameHeader) throws(WebSocketError) {
        if head.opcode.isControl {
            guard head.fin, head.length <= 125 else { throw .badControlFrame }
            control.removeAll(keepingCapacity: true)
        } else if head.opcode == .continuation {
            guard messageOpcode != nil else { throw .unexpectedContinuation }
        } else {
            guard messageOpcode == nil else { throw .interleavedMessage }
            messageOpcode = head.opcode
            message.removeAll(keepingCapacity: true)
        }
        if !head.opcode.isControl, message.count + head.length > Self.maxMessageBytes { throw .messageTooLarge }
        frame = head
        inPayload = head.length > 0
        payloadRemaining = head.length
        maskOffset = 0
    }

    private mutating func gather(_ bytes: UnsafeRawBufferPointer) {
        let start = frame.opcode.isControl ? control.count : message.count
        if frame.opcode.isControl { control.append(contentsOf: bytes) } else { message.append(contentsOf: bytes) }
        guard frame.masked else { return }
        let key = [frame.mask.0, frame.mask.1, frame.mask.2, frame.mask.3]
        let end = start + bytes.count
        if frame.opcode.isControl {
            for i in start..<end { control[i] ^= key[(maskOffset + i - start) & 3] }
        } else {
            for i in start..<end { message[i] ^= key[(maskOffset + i - start) & 3] }
        }
        maskOffset += bytes.count
    }

    private mutating func finishFrame(_ event: (Event) -> Void) throws(WebSocketError) {
        inPayload = false
        switch frame.opcode {
        case .ping:
            control.withUnsafeBytes { event(.ping($0)) }
        case .pong:
            event(.pong)
        case .close:
            let code = control.count >= 2 ? UInt16(control[0]) << 8 | UInt16(control[1]) : nil
            event(.close(code: code))
        case .text, .binary, .continuation:
            guard frame.fin, let opcode = messageOpcode else { return }
            messageOpcode = nil
            message.withUnsafeBytes { event(.message(opcode, $0)) }
            message.removeAll(keepingCapacity: true)
        }
    }

    /// The header at the start of `bytes` and its length, or nil when more bytes are needed.
    static func parseHeader(_ bytes: UnsafeRawBufferPointer) throws(WebSocketError) -> (FrameHeader, Int)? {
        guard bytes.count >= 2 else { return nil }
        let first = bytes[0], second = bytes[1]
        guard first & 0x70 == 0 else { throw .reservedBits }
        guard let opcode = WebSocketOpcode(rawValue: first & 0x0F) else { throw .unknownOpcode(first & 0x0F) }
        let masked = second & 0x80 != 0
        var length = Int(second & 0x7F)
        var offset = 2
        if length == 126 {
            guard bytes.count >= 4 else { return nil }
            length = Int(bytes[2]) << 8 | Int(bytes[3])
            offset = 4
        } else if length == 127 {
            guard bytes.count >= 10 else { return nil }
            var value: UInt64 = 0
            for i in 2..<10 { value = value << 8 | UInt64(bytes[i]) }
            guard value <= UInt64(maxMessageBytes) else { throw .messageTooLarge }
            length = Int(value)
            offset = 10
        }
        var mask: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        if masked {
            guard bytes.count >= offset + 4 else { return nil }
            mask = (bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3])
            offset += 4
        }
        return (FrameHeader(fin: first & 0x80 != 0, opcode: opcode, masked: masked, mask: mask, length: length), offset)
    }
}
