import IOUring
import Wire

/// One client TCP connection and the HTTP exchange currently running on it.
///
/// Lives in its shard's table from accept to close; the object is reused for later
/// connections in the same slot (the generation tells them apart).
final class ClientConnection {
    enum Phase {
        /// Waiting for (more of) a request head.
        case awaitingHead
        /// Reading the request body (and forwarding it once the backend is connected).
        case requestBody
        /// Request fully read; waiting for or relaying the response.
        case awaitingResponse
        /// Held by a GRIP instruction: subscribed to channels, waiting for publishes.
        case held
        /// A WebSocket session (test handler or WebSocket-over-HTTP): frames are decoded here.
        case webSocket
        /// A passed-through WebSocket: bytes relayed both ways unchanged.
        case tunnel
        /// Final bytes sent and the write side shut down; reading until EOF or a short timeout,
        /// so unread input does not turn the close into a reset that destroys the response.
        case lingering
    }

    let slot: UInt32
    var socket = SocketState()
    var inbound = ByteAccumulator()
    var parser: HTTPRequestParser
    var phase = Phase.awaitingHead
    var peerHost = ""
    /// The client sent EOF: finish the current response, then close.
    var readClosed = false
    /// Close once the send queue drains.
    var closeAfterSend = false
    var exchange = Exchange()
    /// Waiting in the shard's end-of-turn delivery flush (published messages were queued this
    /// turn); a per-turn mark kept here so the flush list holds each client once.
    var deliveryFlushScheduled = false
    /// In `ShardLoop.clientFlushes`, to be sent at the end of the turn.
    var flushQueued = false
    /// The GRIP hold in force (phase `.held`).
    var hold: Hold? = nil
    /// The hold uses GRIP reliability (next or gone link, prev-ids).
    var recovery: HoldRecovery? = nil
    var subscriptions: [Subscription] = []
    /// The session's filters, when any of its channels has one (nil for almost every session).
    var filters: SessionFilters? = nil
    var webSocket: WebSocketSession? = nil
    /// The TLS session of a connection accepted on an https listener (nil: plaintext).
    var tls: ClientTLS? = nil
    /// The vector of the gathering send in flight, if any.
    var sendVector: SendVector? = nil
    /// A passed-through WebSocket is open (counted in the WebSocket gauge).
    var tunnelOpen = false
    /// How long the client may take over the request the shard is waiting for (its own timer
    /// token: the backend timeout or a hold may be armed on `socket` at the same time).
    var timeLimit = ClientTimeLimit()

    init(slot: UInt32, maxHeadBytes: Int) {
        self.slot = slot
        parser = HTTPRequestParser(maxHeadBytes: maxHeadBytes)
    }

    /// Clears per-connection state for a fresh accept into this slot.
    func reset(fd: Int32, generation: UInt32) {
        socket = SocketState(fd: fd, generation: generation, lifecycle: .open)
        inbound.release()
        parser.reset()
        phase = .awaitingHead
        peerHost = ""
        readClosed = false
        closeAfterSend = false
        exchange = Exchange()
        deliveryFlushScheduled = false
        hold = nil
        recovery = nil
        subscriptions = []
        filters = nil
        webSocket = nil
        tls = nil
        tunnelOpen = false
        timeLimit.reset()
    }

    /// Gives back the spare capacity of the receive accumulator and send queue.
    func releaseSpareMemory() {
        if inbound.isEmpty { inbound.release() }
        socket.sendQueue.releaseSpareCapacity()
        tls?.output.releaseSpareCapacity()
    }
}

extension ClientConnection: SlotOccupant {
    var generation: UInt32 { socket.generation }
    var isLive: Bool { socket.isLive }

    static func vacant() -> ClientConnection {
        let client = ClientConnection(slot: .max, maxHeadBytes: 0)
        client.socket.generation = .max
        return client
    }
}

/// The request in progress on a client connection and where its response comes from.
struct Exchange {
    var method = ""
    var version = HTTPVersion.http11
    /// The client lets the connection persist after this response (and the shard is not
    /// draining).
    var keepAlive = true
    /// Decodes the request body while it arrives; nil when there is none or it is complete.
    var requestDecoder: BodyDecoder? = nil
    /// The built-in test handler answers: the path it sees (route prefix removed) and query.
    var testRequest: (path: String, query: String)? = nil
    /// The request goes to a backend: its exchange, the addresses it may try, and the
    /// connection it uses now.
    var proxy: ProxyExchange? = nil
    var candidates: [BackendCandidate] = []
    var backend: ConnectionHandle? = nil
    /// Channel names from GRIP instructions (and the test handler) get this prefix.
    var channelPrefix = ""
    /// The request as forwarded and its route's signing: a reliable hold repeats it (next
    /// link, long-poll re-request).
    var forwardedRequest: HTTPRequestHead? = nil
    var signing: GripSigning? = nil
    /// The route's id for the stats socket; set only when stats are collected.
    var statsRoute: String? = nil
    /// CORS or JSON-P for this request's responses; nil unless its route uses auto cross-origin.
    var crossOrigin: CrossOriginExchange? = nil

    var active: Bool { testRequest != nil || proxy != nil }
    var requestComplete: Bool { requestDecoder == nil }

    /// Finish this exchange, then close (the shard is draining).
    mutating func closeWhenDone() {
        keepAlive = false
        proxy?.clientKeepAlive = false
    }
}

/// A backend address for a request, with the pool key of the route target it came from.
struct BackendCandidate {
    var key: String
    var address: SocketAddress
    /// Set for `ssl` targets: connect with TLS (its pool key then also names the TLS settings).
    var tls: BackendTLSTarget? = nil
}

/// A connection held open by GRIP instructions.
struct Hold {
    var mode: GripHoldMode
    /// Response hold: what the client gets on timeout; its headers are merged under a
    /// published `http-response`.
    var timeoutResponse: GripResponse
    var timeoutSeconds = 55
    /// Stream hold: bytes sent when the stream is idle, already framed for this client.
    var keepAliveBytes: [UInt8] = []
    var keepAliveNanos: Int64 = 0
    var keepAliveMode = GripKeepAliveMode.idle
    /// Stream framing for this client: HTTP/1.1 chunks, or close-delimited for HTTP/1.0.
    var chunked = true
    var lastSendNanos: Int64 = 0
    var version = HTTPVersion.http11
    var keepAlive = true
}
