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
    /// The GRIP hold in force (phase `.held`).
    var hold: Hold? = nil
    var subscriptions: [Subscription] = []
    var webSocket: WebSocketSession? = nil
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
        subscriptions = []
        webSocket = nil
        tunnelOpen = false
        timeLimit.reset()
    }

    /// Gives back the spare capacity of the receive accumulator and send queue.
    func releaseSpareMemory() {
        if inbound.isEmpty { inbound.release() }
        socket.sendQueue.releaseSpareCapacity()
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
    enum Upstream {
        case none
        /// Built-in test handler: the response is produced in the shard.
        case testHandler
        /// A backend connection in this shard's backend table.
        case backend(ConnectionHandle)
    }

    var method = ""
    var version = HTTPVersion.http11
    var keepAlive = true
    var requestDecoder: BodyDecoder? = nil
    /// Forward the request body chunked (its length is unknown).
    var requestChunked = false
    var upstream = Upstream.none
    /// The path the test handler sees (route prefix removed).
    var testPath = ""
    var testQuery = ""
    /// The request head as sent to the backend, kept until the backend starts answering so a
    /// connect failure can move on to the next address.
    var forwardedHead: [UInt8] = []
    /// Backend addresses to try, in order (route targets, then each target's addresses).
    var candidates: [BackendCandidate] = []
    var candidateIndex = 0
    /// Body bytes already went to the backend: from now on a failure cannot be retried.
    var bodySent = false
    var requestComplete = false
    var responseStarted = false
    var responseDecoder: BodyDecoder? = nil
    /// Re-frame the response body as chunks for this client.
    var responseChunked = false
    /// The response is delimited by closing the client connection (HTTP/1.0 client, no length).
    var responseUntilClose = false
    /// The backend delimits the body by closing, so its connection cannot be reused.
    var backendBodyUntilClose = false
    /// Close the client once this response is sent.
    var closeAfterResponse = false
    /// A pooled connection turned out dead; the retry uses a fresh connection.
    var retriedStale = false
    /// GRIP processing applies (the route has no `no_grip`); channel names get `channelPrefix`.
    var gripEnabled = true
    var channelPrefix = ""
    /// What this exchange is for: a client's request, or a WebSocket-over-HTTP event batch.
    var purpose = Purpose.clientRequest
    /// The client asked to upgrade to WebSocket and the route passes it through.
    var upgrade = false
    /// The backend's response is collected, not relayed (GRIP instructions, WebSocket events).
    var collectedHead: HTTPResponseHead? = nil
    var collectedBody: [UInt8] = []
    var collectedTooLarge = false
    enum Purpose {
        case clientRequest
        case webSocketEvents
    }

    var active: Bool { if case .none = upstream { return false } else { return true } }
}

/// A backend address for a request, with the pool key of the route target it came from.
struct BackendCandidate {
    var key: String
    var address: SocketAddress
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
