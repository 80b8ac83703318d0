/// What an `http-response` or `ws-message` asks for (`action`, default `send`).
public enum PublishAction: Sendable, Equatable {
    case send
    /// Long-poll: re-request the backend now. WebSocket: ignored.
    case hint
    /// Close the WebSocket. Parsed for http-response too, where it does nothing.
    case close
    /// WebSocket-over-HTTP: make the session send a request to the backend now (Pushpin 1.38+).
    /// Parsed for http-response too, where it does nothing.
    case refresh
}

/// What an `http-stream` asks for. `refresh` is rejected here, as Pushpin 1.36 does.
public enum PublishStreamAction: Sendable, Equatable {
    case send
    /// End the stream cleanly.
    case close
    /// Fetch the next link now.
    case hint
}

/// `http-response`: the final response for long-poll (response-hold) clients.
public struct PublishHTTPResponse: Sendable, Equatable {
    public var action: PublishAction
    /// 0...999, default 200.
    public var code: Int
    /// The item's reason, or Pushpin's phrase for `code` ("Undefined Reason" if unregistered).
    public var reason: String
    /// In the item's order; a delivery replaces same-named fields of the timeout response.
    public var headers: HTTPHeaders
    /// `body-bin` (base64) wins over `body`; empty when the item carries `bodyPatch`.
    public var body: [UInt8]
    /// `body-patch`: JSON Patch operations for the hold's timeout body (only when there is
    /// no `body`/`body-bin`). A consumer that does not apply patches should skip the item.
    public var bodyPatch: [JSONValue]?
    /// Delivered only to subscriptions whose content filters equal this list.
    public var contentFilters: [String]?

    public init(
        action: PublishAction = .send, code: Int = 200, reason: String? = nil, headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [], bodyPatch: [JSONValue]? = nil, contentFilters: [String]? = nil
    ) {
        self.action = action
        self.code = code
        self.reason = reason ?? PushpinReasonPhrase.phrase(for: code)
        self.headers = headers
        self.body = body
        self.bodyPatch = bodyPatch
        self.contentFilters = contentFilters
    }
}

/// `http-stream`: content appended to stream-hold bodies.
public struct PublishHTTPStream: Sendable, Equatable {
    public var action: PublishStreamAction
    /// `content-bin` (base64) wins over `content`; empty unless `action == .send`.
    public var content: [UInt8]
    public var contentFilters: [String]?

    public init(action: PublishStreamAction = .send, content: [UInt8] = [], contentFilters: [String]? = nil) {
        self.action = action
        self.content = content
        self.contentFilters = contentFilters
    }
}

public enum PublishWSMessageType: Sendable, Equatable {
    case text, binary, ping, pong
}

/// `ws-message`: a message (or close) for WebSocket and WebSocket-over-HTTP sessions.
public struct PublishWSMessage: Sendable, Equatable {
    public var action: PublishAction
    /// `type`, else `binary` when `content-bin` was given, else `text`.
    public var type: PublishWSMessageType
    /// May be empty for ping/pong.
    public var content: [UInt8]
    /// Close only: the close status (any value ≥ 0).
    public var code: Int?
    /// Close only; nil when absent or empty.
    public var reason: String?
    public var contentFilters: [String]?

    public init(
        action: PublishAction = .send, type: PublishWSMessageType = .text, content: [UInt8] = [],
        code: Int? = nil, reason: String? = nil, contentFilters: [String]? = nil
    ) {
        self.action = action
        self.type = type
        self.content = content
        self.code = code
        self.reason = reason
        self.contentFilters = contentFilters
    }
}

/// One published item (publish.md §3). An item may carry no format at all when its
/// `formats` object holds only unknown keys: Pushpin accepts it and delivers nothing.
public struct PublishItem: Sendable, Equatable {
    /// May be empty (Pushpin accepts `""`).
    public var channel: String
    public var id: String?
    public var prevID: String?
    public var meta: [String: String]
    public var httpResponse: PublishHTTPResponse?
    public var httpStream: PublishHTTPStream?
    public var wsMessage: PublishWSMessage?
    /// Stats-only size hint (≥ 0).
    public var size: Int?
    /// Bypass the sequencer (`no-seq`).
    public var noSeq: Bool

    public init(
        channel: String, id: String? = nil, prevID: String? = nil, meta: [String: String] = [:],
        httpResponse: PublishHTTPResponse? = nil, httpStream: PublishHTTPStream? = nil,
        wsMessage: PublishWSMessage? = nil, size: Int? = nil, noSeq: Bool = false
    ) {
        self.channel = channel
        self.id = id
        self.prevID = prevID
        self.meta = meta
        self.httpResponse = httpResponse
        self.httpStream = httpStream
        self.wsMessage = wsMessage
        self.size = size
        self.noSeq = noSeq
    }
}
