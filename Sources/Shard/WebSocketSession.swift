import Wire

/// A client WebSocket handled inside the shard: by the test handler, or bridged to a
/// backend as WebSocket-over-HTTP (one POST of events at a time).
final class WebSocketSession {
    enum Mode {
        case testHandler
        case overHTTP
    }

    let mode: Mode
    var decoder: WebSocketDecoder
    /// The client's Sec-WebSocket-Key, for the 101 once the backend accepts; emptied after.
    var clientKey: String
    var closeSent = false
    var closeReceived = false
    /// The client got its 101 (counted as an open WebSocket until closed).
    var accepted = false

    // WebSocket-over-HTTP
    /// 128 random bits, rendered as 32 hex digits for each request's Connection-Id (held as
    /// bits: a 32-character string would be one more heap block per session).
    let connectionIDBits: (UInt64, UInt64)
    /// Request target and the client's headers to repeat on every event request.
    let target: String
    let baseHeaders: HTTPHeaders
    let candidates: [BackendCandidate]
    let gripSignature: String?
    /// Sequences the event requests: pending and in-flight events, retries, keep-alives.
    var requester: EventRequester
    /// The backend connection the event request in flight uses.
    var eventsBackend: ConnectionHandle? = nil
    var meta: [(name: String, value: String)] = []
    /// The backend enabled GRIP (`Sec-WebSocket-Extensions: grip`): `c:` control messages and
    /// the message prefix apply.
    var gripEnabled = false
    var messagePrefix = WebSocketSession.defaultMessagePrefix
    var channelPrefix = ""
    /// `detach`: the backend side is gone; client messages are discarded.
    var detached = false
    /// The client went away; a DISCONNECT is being delivered before the slot is freed.
    var clientGone = false
    /// Session timers (retry, keep-alive) use their own token, apart from the socket's.
    var timerToken: UInt32 = 0
    /// `keep-alive` control message: a frame sent when the client has been idle this long.
    var clientKeepAliveFrame: [UInt8] = []
    var clientKeepAliveNanos: Int64 = 0
    var lastClientSendNanos: Int64 = 0

    /// Shared by every session until a backend sets its own: one array, not one per session.
    static let defaultMessagePrefix = Array("m:".utf8)

    /// permessage-deflate was negotiated: the 101's extension header and the inflater.
    let compression: (response: String, inflater: MessageInflater)?
    let maxMessageBytes: Int

    init(
        mode: Mode, clientKey: String, maxMessageBytes: Int, connectionIDBits: (UInt64, UInt64), target: String, baseHeaders: HTTPHeaders,
        candidates: [BackendCandidate], gripSignature: String?, requester: EventRequester,
        compression: (response: String, inflater: MessageInflater)? = nil
    ) {
        self.requester = requester
        self.mode = mode
        self.clientKey = clientKey
        self.compression = compression
        self.maxMessageBytes = maxMessageBytes
        decoder = WebSocketDecoder(requireMask: true, maxMessageBytes: maxMessageBytes, allowRSV1: compression != nil)
        self.connectionIDBits = connectionIDBits
        self.target = target
        self.baseHeaders = baseHeaders
        self.candidates = candidates
        self.gripSignature = gripSignature
    }
}

extension WebSocketSession {
    /// The Connection-Id the backend sees: the id's 32 lowercase hex digits.
    var connectionID: String {
        func hex(_ word: UInt64) -> String {
            let digits = String(word, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        return hex(connectionIDBits.0) + hex(connectionIDBits.1)
    }
}
