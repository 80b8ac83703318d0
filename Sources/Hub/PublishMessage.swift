import Wire

/// One published item, parsed and encoded once by the control thread, then handed to every
/// shard with subscribers on its channel. Immutable; shards only read it.
public final class PublishMessage: Sendable {
    /// What a stream hold (`http-stream`) does with this item.
    public enum StreamDelivery: Sendable {
        /// `chunked`: the content as one HTTP/1.1 chunk; `raw`: the bare content for
        /// close-delimited (HTTP/1.0) streams.
        case send(chunked: SharedBytes, raw: SharedBytes)
        case close
        /// Fetch the next link now (GRIP reliable mode).
        case hint
    }

    /// What a response hold (`http-response`) does with this item.
    public struct ResponseDelivery: Sendable {
        public let status: Int
        public let reason: String
        /// Item headers, Grip-* already removed; merged over the hold's own at delivery.
        public let headers: [(name: String, value: String)]
        public let body: SharedBytes
        /// The whole HTTP/1.1 response (status line, item headers, Content-Length, body),
        /// sent as is when the hold adds no headers of its own.
        public let encoded: SharedBytes
        /// `body-patch`: JSON Patch operations applied to each hold's own timeout body (then
        /// `body` and `encoded` are empty and unused).
        public let bodyPatch: [JSONValue]?

        public init(
            status: Int, reason: String, headers: [(name: String, value: String)], body: SharedBytes, encoded: SharedBytes,
            bodyPatch: [JSONValue]? = nil
        ) {
            self.status = status
            self.reason = reason
            self.headers = headers
            self.body = body
            self.encoded = encoded
            self.bodyPatch = bodyPatch
        }
    }

    /// What a WebSocket subscriber (`ws-message`) gets: one pre-encoded frame.
    public enum WebSocketDelivery: Sendable {
        case send(frame: SharedBytes)
        /// A close frame (with the item's code and reason); the connection then closes.
        case close(frame: SharedBytes)
    }

    /// What a subscriber with filters needs besides the shared bytes: the item's meta, each
    /// format's `content-filters`, and the WebSocket message unframed (filters rewrite it).
    public struct Filtering: Sendable {
        public let meta: [String: String]
        public let streamContentFilters: [String]?
        public let responseContentFilters: [String]?
        public let webSocketContentFilters: [String]?
        /// `ws-message` send: the opcode and payload, to frame again after filters rewrite it.
        public let webSocketMessage: (opcode: WebSocketOpcode, payload: [UInt8])?

        public init(
            meta: [String: String] = [:], streamContentFilters: [String]? = nil, responseContentFilters: [String]? = nil,
            webSocketContentFilters: [String]? = nil, webSocketMessage: (opcode: WebSocketOpcode, payload: [UInt8])? = nil
        ) {
            self.meta = meta
            self.streamContentFilters = streamContentFilters
            self.responseContentFilters = responseContentFilters
            self.webSocketContentFilters = webSocketContentFilters
            self.webSocketMessage = webSocketMessage
        }

        /// Some format is for only some subscriptions (`content-filters`), or is built per hold
        /// (`body-patch`): every subscriber then takes the filtered walk.
        var differsPerSubscriber: Bool {
            streamContentFilters != nil || responseContentFilters != nil || webSocketContentFilters != nil
        }
    }

    public let channel: String
    public let id: String?
    public let prevID: String?
    /// CLOCK_MONOTONIC nanoseconds when the publish request was accepted (latency histogram).
    public let acceptedAtNanos: Int64
    public let stream: StreamDelivery?
    public let response: ResponseDelivery?
    public let webSocket: WebSocketDelivery?
    public let filtering: Filtering
    /// Decided once here: some format reaches only some subscriptions (`content-filters`) or
    /// is built per hold (`body-patch`), so the fan-out takes its filtered walk even for
    /// subscriptions without filters.
    public let differsPerSubscriber: Bool
    /// `http-response` with `action: hint`: long-polls are requested again now.
    public let hintsResponses: Bool

    public init(
        channel: String, id: String?, prevID: String?, acceptedAtNanos: Int64,
        stream: StreamDelivery?, response: ResponseDelivery?, webSocket: WebSocketDelivery? = nil,
        filtering: Filtering = Filtering(), hintsResponses: Bool = false
    ) {
        self.filtering = filtering
        differsPerSubscriber = filtering.differsPerSubscriber || response?.bodyPatch != nil
        self.hintsResponses = hintsResponses
        self.channel = channel
        self.id = id
        self.prevID = prevID
        self.acceptedAtNanos = acceptedAtNanos
        self.stream = stream
        self.response = response
        self.webSocket = webSocket
    }
}
