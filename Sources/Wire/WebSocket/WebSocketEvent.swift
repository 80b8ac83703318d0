/// A complete application message or control frame, reassembled from its
/// fragments, unmasked and validated.
public enum WebSocketEvent: Sendable, Equatable {
    /// Valid UTF-8, checked incrementally across fragments. Under permessage-deflate
    /// (`allowRSV1`) a compressed message is delivered still compressed and not
    /// checked; `WebSocketDecoder.decode(_:emitCompressed:)` tells which.
    case text([UInt8])
    case binary([UInt8])
    case ping([UInt8])
    case pong([UInt8])
    /// `code` is nil when the close frame had no payload (then `reason` is empty).
    case close(code: UInt16?, reason: [UInt8])
}

/// A protocol violation by the peer. The connection must be closed with
/// `closeCode` (RFC 6455 §7.4.1); `reason` is short enough for a close frame.
public struct WebSocketError: Error, Sendable, Equatable {
    public var closeCode: UInt16
    public var reason: String

    public init(closeCode: UInt16, reason: String) {
        self.closeCode = closeCode
        self.reason = reason
    }

    /// 1002: the frame stream breaks RFC 6455.
    static func protocolError(_ reason: String) -> WebSocketError {
        WebSocketError(closeCode: WebSocketCloseCode.protocolError, reason: reason)
    }

    /// 1007: a text message or close reason is not UTF-8.
    static func invalidUTF8(_ reason: String) -> WebSocketError {
        WebSocketError(closeCode: WebSocketCloseCode.invalidPayload, reason: reason)
    }

    /// 1009: the message exceeds the configured maximum.
    static func messageTooBig(_ reason: String) -> WebSocketError {
        WebSocketError(closeCode: WebSocketCloseCode.messageTooBig, reason: reason)
    }
}
