/// Close status codes (RFC 6455 §7.4) and which of them may appear on the wire.
public enum WebSocketCloseCode {
    public static let normalClosure: UInt16 = 1000
    public static let goingAway: UInt16 = 1001
    public static let protocolError: UInt16 = 1002
    public static let unsupportedData: UInt16 = 1003
    /// Never sent: a close frame without payload means "no code" (1005).
    public static let noStatusReceived: UInt16 = 1005
    /// Never sent: the connection dropped without a close frame (1006).
    public static let abnormalClosure: UInt16 = 1006
    public static let invalidPayload: UInt16 = 1007
    public static let policyViolation: UInt16 = 1008
    public static let messageTooBig: UInt16 = 1009
    public static let mandatoryExtension: UInt16 = 1010
    public static let internalError: UInt16 = 1011

    /// Whether a peer may send `code` in a close frame: the defined codes
    /// 1000–1003 and 1007–1011, and the registered/private ranges 3000–4999.
    /// 1004 (reserved), 1005, 1006 and 1015 (local-only pseudo codes), below
    /// 1000, and the unassigned 1012–2999 are protocol errors.
    public static func isValidOnWire(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1011, 3000...4999: return true
        default: return false
        }
    }
}
