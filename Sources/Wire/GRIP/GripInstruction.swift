/// How a GRIP response holds the client connection (`Grip-Hold`, JSON `hold.mode`).
public enum GripHoldMode: Sendable, Equatable {
    /// Long-poll: nothing is sent until a publish or the timeout.
    case response
    /// The initial response is sent now and the body stays open for published content.
    case stream
}

/// One subscription: `Grip-Channel: name; prev-id=..; filter=..` or a JSON `hold.channels` entry.
public struct GripChannel: Sendable, Equatable {
    /// Taken verbatim; may be empty (Pushpin subscribes `a,,b` as `a`, `` and `b`).
    public var name: String
    public var prevID: String?
    /// Filter names in order (`skip-self`, `build-id`, ...); unknown names are kept.
    public var filters: [String]

    public init(name: String, prevID: String? = nil, filters: [String] = []) {
        self.name = name
        self.prevID = prevID
        self.filters = filters
    }
}

public enum GripKeepAliveMode: Sendable, Equatable {
    /// The timer restarts after every send: bytes flow only when the stream is quiet.
    case idle
    /// Fixed cadence regardless of traffic (also how a JSON-only keep-alive behaves).
    case interval
}

/// Bytes written to a held stream when the timer fires.
public struct GripKeepAlive: Sendable, Equatable {
    /// Never empty: an instruction whose keep-alive decodes to no bytes has none.
    public var content: [UInt8]
    /// At least 1.
    public var timeoutSeconds: Int
    public var mode: GripKeepAliveMode

    public init(content: [UInt8], timeoutSeconds: Int, mode: GripKeepAliveMode) {
        self.content = content
        self.timeoutSeconds = timeoutSeconds
        self.mode = mode
    }
}

/// The response a client of a GRIP hold sees.
public struct GripResponse: Sendable, Equatable {
    public var status: Int
    public var reason: String
    /// No framing or hop-by-hop fields; the writer frames the body. `Grip-*` fields of the
    /// backend's own head are dropped, but a JSON instruct's `response.headers` are kept as
    /// given: the backend named them explicitly, and Pushpin 1.36 passes them too.
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, reason: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
    }
}

/// One `Grip-Set-Meta` / JSON `hold.meta` entry: subscription metadata read by filters.
public struct GripMetaEntry: Sendable, Equatable {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}

/// A `Grip-Link` target. The URI is as sent: it may be relative to the request URI.
public struct GripLink: Sendable, Equatable {
    public var uri: String
    /// For `rel=next`: fetch again when channels were idle this long (default 120).
    public var timeoutSeconds: Int

    public init(uri: String, timeoutSeconds: Int) {
        self.uri = uri
        self.timeoutSeconds = timeoutSeconds
    }
}

/// Everything a backend's GRIP response asks of the proxy, header and JSON forms alike.
public struct GripInstruction: Sendable, Equatable {
    /// nil: no hold; the client just gets `response` (Grip-* stripped), or, with a
    /// `nextLink`, the response followed by the next link's body.
    public var hold: GripHoldMode?
    /// At most the parser's `subscriptionMax`; the rest are dropped silently.
    public var channels: [GripChannel]
    /// Response-hold timeout: `Grip-Timeout`/`hold.timeout`, default 55, never below 5.
    public var timeoutSeconds: Int
    /// Stream holds only.
    public var keepAlive: GripKeepAlive?
    /// Unique keys in first-seen order; a later entry for a key replaces its value.
    public var meta: [GripMetaEntry]
    public var nextLink: GripLink?
    /// `Grip-Link: <uri>; rel=gone` (used by Pushpin 1.41+: POSTed when the client leaves).
    public var goneLink: String?
    /// For a stream hold the initial response; for a response hold the timeout response;
    /// without a hold the response to send.
    public var response: GripResponse

    public init(
        hold: GripHoldMode? = nil, channels: [GripChannel] = [], timeoutSeconds: Int = 55,
        keepAlive: GripKeepAlive? = nil, meta: [GripMetaEntry] = [], nextLink: GripLink? = nil,
        goneLink: String? = nil, response: GripResponse
    ) {
        self.hold = hold
        self.channels = channels
        self.timeoutSeconds = timeoutSeconds
        self.keepAlive = keepAlive
        self.meta = meta
        self.nextLink = nextLink
        self.goneLink = goneLink
        self.response = response
    }

    /// The value of meta `key`, if set.
    public func metaValue(_ key: String) -> String? {
        meta.first { $0.key == key }?.value
    }

    /// A stream hold with a channel carrying `prev-id` needs a next link to recover
    /// missed items; Pushpin then sends the initial response and ends the stream with
    /// "channel '<name>' specifies prev-id, but no next link found". Returns that message.
    public var streamPrevIDWithoutNextLink: String? {
        guard hold == .stream, nextLink == nil,
              let channel = channels.first(where: { $0.prevID != nil }) else { return nil }
        return "channel '\(channel.name)' specifies prev-id, but no next link found"
    }
}

/// Why a GRIP response could not be followed. The client then gets `502 Bad Gateway`
/// (response hold) or a closed stream; `message` is Pushpin's wording, shown only in
/// debug mode (after "Failed to parse accept instructions: ").
public struct GripError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
