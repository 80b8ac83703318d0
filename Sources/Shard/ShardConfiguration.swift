import IOUring
import Wire

/// Everything a shard needs to know at start-up; immutable for its lifetime.
public struct ShardConfiguration: Sendable {
    /// This shard's own listening sockets (SO_REUSEPORT), one per client port, opened by the
    /// caller so bind errors surface at start-up; the shard owns and closes them.
    public var listenerFDs: [Int32]
    /// Per entry of `listenerFDs`: the port of an https listener (whose `default_<port>`
    /// certificate it serves), nil for a plain one. Empty: all plain.
    public var listenerTLSPorts: [Int?] = []
    /// Where the https listeners' `<name>.crt` + `<name>.key` files are (`<configdir>/runner/certs`).
    public var certificatesDirectory = ""
    /// Session ticket keys, the same for every shard so a client resumes on any (nil: the
    /// shard makes its own).
    public var ticketKeys: TicketKeys? = nil
    /// Largest request head a client may send (`client_buffer_size`): beyond it, 431.
    public var clientBufferSize: Int
    /// This shard's share of `client_maxconn`.
    public var maxConnections: Int
    public var xForwardedFor: [XForwardedForRule]
    public var setXForwardedProtocol: ForwardedProtocolMode
    /// How long a backend may take to connect and to start its response before the client gets 504.
    public var backendTimeoutNanos: Int64
    /// Time limits on clients (0: none): to send a whole request head (from the accept, or
    /// from a keep-alive request's first byte), to start the next request on a keep-alive
    /// connection, and between bytes of a request body.
    public var clientHeaderTimeoutNanos: Int64 = 30_000_000_000
    public var clientIdleTimeoutNanos: Int64 = 60_000_000_000
    public var clientBodyTimeoutNanos: Int64 = 60_000_000_000
    /// A TLS client's handshake must finish this long after the accept (0: it counts against
    /// the header limit instead).
    public var clientHandshakeTimeoutNanos: Int64 = 10_000_000_000
    /// How long an idle pooled backend connection is kept.
    public var backendIdleNanos: Int64 = 55_000_000_000
    /// `backend_pool_max`: idle connections kept per backend target; a connection released
    /// beyond it is closed (0: no keep-alive to backends).
    public var backendPoolMax = 1024
    public var ringEntries: UInt32 = 4096
    /// Provided receive buffers: each is lent for one completion and returned in the same
    /// turn, so a few hundred cover a busy turn; their memory is resident once touched.
    public var receiveBufferCount = 512
    public var receiveBufferSize = 8192
    /// Send chunks the shard copies small writes into (pooled; larger writes get their own).
    public var sendChunkSize = 4096
    /// Per-connection queue size past which the other side stops being read.
    public var sendHighWater = 256 * 1024
    public var sendLowWater = 64 * 1024
    /// Grip-Sig issuer and key (`sig_iss`, `sig_key` resolved to bytes); an empty key sends no signature.
    public var sigISS = "pushpin"
    public var sigKey: [UInt8] = []
    /// `auto_cross_origin`: CORS and JSON-P on every route, as if each had `aco`.
    public var autoCrossOrigin = false
    /// Silence toward a WebSocket client after which it is pinged (0: never).
    public var webSocketPingNanos: Int64 = 30_000_000_000
    /// `websocket_message_max`: largest message a WebSocket client may send (reassembled,
    /// inflated); beyond it, close 1009.
    public var webSocketMessageMax = 16 << 20
    /// Events a WebSocket-over-HTTP session queues for its next request before its client is
    /// no longer read (TCP backpressure) until a request takes them: at most this plus one
    /// message waits (plus a failed request's events during its retry). Pushpin's figure.
    public var webSocketEventsHighWater = 200_000
    /// `allow_compression`: accept permessage-deflate from WebSocket clients.
    public var allowCompression = false
    /// `connection_subscription_max`: channels one connection may hold.
    public var subscriptionsPerConnectionMax = 20
    /// Whether to pin the shard thread to CPU `index % cpus`.
    public var pinThreads = true

    // Limits and intervals of the loop itself: not config keys, but named and in one place.

    /// The timer wheel's tick: every deadline (backend, hold, linger, ping) fires up to one
    /// tick late, and a shard with armed timers wakes at least this often.
    public var timerTickNanos: Int64 = 50_000_000
    /// How long a shard with no timers armed sleeps in the ring when nothing happens.
    public var idleWaitNanos: Int64 = 1_000_000_000
    /// Commands taken from the mailbox per turn, so a burst of publishes cannot starve the
    /// connections; the rest wait for the next turn.
    public var commandBatchMax = 1024
    /// After accept fails for lack of descriptors or memory, how long before trying again.
    public var acceptRetryNanos: Int64 = 100_000_000
    /// Once the drain period is over and connections are force-closed, how long their closes
    /// may take before the shard stops anyway.
    public var forcedCloseNanos: Int64 = 1_000_000_000
    /// Spare send chunks and send vectors kept for reuse; beyond these, freed ones are dropped.
    public var spareChunksMax = 256
    public var spareSendVectorsMax = 1024
    /// A publish's prepared sends are submitted every this many, not all at the end of the turn:
    /// the first subscribers are served while the rest are still being sent.
    public var deliverySubmitChunk = 64
    /// A held (stream or WebSocket) connection that has this many bytes or segments queued
    /// is not reading: it is closed so it cannot hold memory or delay the others.
    public var heldQueueBytesMax = 1 << 20
    public var heldQueueSegmentsMax = 1024
    /// Messages to WebSocket clients are cut into frames of at most this many payload bytes.
    public var webSocketFrameBytesMax = 16384
    /// After a response that closes the connection, how long unread client input is still
    /// drained before the close (so the client sees the response, not a reset); shorter
    /// while the shard drains for shutdown.
    public var lingerNanos: Int64 = 2_000_000_000
    public var lingerDrainingNanos: Int64 = 200_000_000
    /// Largest GRIP instruct body (`application/grip-instruct`) collected from a backend;
    /// beyond it, 502.
    public var gripInstructBodyMax = 100_000
    /// Largest WebSocket-over-HTTP events body from a backend, on top of one client message
    /// (`webSocketMessageMax`): beyond it, the session fails.
    public var webSocketEventsBodyMax = 1_000_000
    /// WebSocket-over-HTTP: failed event requests retried before the client gets close 1011,
    /// waiting base << (retry - 1) plus up to the jitter between attempts.
    public var webSocketRetriesMax = 5
    public var webSocketRetryBaseNanos: Int64 = 1_000_000_000
    public var webSocketRetryJitterNanos: Int64 = 1_000_000_000
    /// GRIP next links: failed fetches retried before the stream ends, with the same backoff.
    public var nextLinkRetriesMax = 5
    public var nextLinkRetryBaseNanos: Int64 = 1_000_000_000
    public var nextLinkRetryJitterNanos: Int64 = 1_000_000_000
    /// Largest next-link answer collected (its body is what a stream missed, appended whole
    /// once the answer is complete); beyond it the fetch fails.
    public var nextLinkBodyMax = 1_000_000
    /// `[handler] update_on_first_subscription`: a second after a channel's first subscriber
    /// arrives here, its reliable sessions catch up.
    public var updateOnFirstSubscription = true
    public var firstSubscriptionDelayNanos: Int64 = 1_000_000_000
    /// `[handler] recovery_update_rate` (pushpind only): low-priority session updates per
    /// second, each of up to `recoveryUpdateBatch` sessions (Pushpin: 10 of 100).
    public var recoveryUpdateRate = 10
    /// A stats socket is configured: report sessions, subscribers and requests for it.
    public var statsEvents = false
    public var recoveryUpdateBatch = 100

    public init(
        listenerFDs: [Int32], clientBufferSize: Int, maxConnections: Int,
        xForwardedFor: [XForwardedForRule], setXForwardedProtocol: ForwardedProtocolMode,
        backendTimeoutNanos: Int64
    ) {
        self.listenerFDs = listenerFDs
        self.clientBufferSize = clientBufferSize
        self.maxConnections = maxConnections
        self.xForwardedFor = xForwardedFor
        self.setXForwardedProtocol = setXForwardedProtocol
        self.backendTimeoutNanos = backendTimeoutNanos
    }
}
