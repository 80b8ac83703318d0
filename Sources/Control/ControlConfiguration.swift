import Wire

/// What the control thread needs: where to listen, its limits, and how to rebuild routing.
public struct ControlConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var maxHeadersSize: Int
    public var maxBodySize: Int
    public var version: String
    /// How long shards may take to finish in-flight requests on shutdown.
    public var drainNanos: Int64
    /// `push_in_http_key`: when set, publishing needs a Bearer JWT signed with it.
    public var publishKey: [UInt8]? = nil
    public var zeroMQ = ZeroMQConfiguration()
    /// `message_wait`: how long an item published out of order waits for its predecessor.
    public var messageWaitNanos: Int64 = 5_000_000_000
    /// `id_cache_ttl`: how long a published (channel, id) is remembered; 0 turns de-duplication off.
    public var idCacheTTLNanos: Int64 = 0
    /// `push_in_http_idle_timeout`: a kept-alive connection without a byte either way this long is closed; 0 is never.
    public var idleTimeoutNanos: Int64 = 60_000_000_000
    /// The routes file to watch for changes; nil when the routes do not come from a file.
    public var routesFile: String? = nil

    public init(host: String, port: Int, maxHeadersSize: Int, maxBodySize: Int, version: String, drainNanos: Int64) {
        self.host = host
        self.port = port
        self.maxHeadersSize = maxHeadersSize
        self.maxBodySize = maxBodySize
        self.version = version
        self.drainNanos = drainNanos
    }
}

/// The ZeroMQ inputs (publish.md §5); an unset spec leaves its socket out, as in Pushpin.
public struct ZeroMQConfiguration: Sendable {
    /// `push_in_spec`: PULL, bound.
    public var pushInSpec: String? = nil
    /// `push_in_sub_specs`: SUB, bound (or connected with `subConnect`).
    public var pushInSubSpecs: [String] = []
    public var subConnect = false
    /// `command_spec`: REP, bound.
    public var commandSpec: String? = nil
    /// `subscription_linger`: how long the SUB socket stays subscribed after a channel's last subscriber left.
    public var subscriptionLingerNanos: Int64 = 60_000_000_000
    /// Larger messages make libzmq drop the sending peer.
    public var maxMessageBytes = 1_000_000
    /// `stats_spec`: PUB, bound; the stats socket (stats.md).
    public var statsSpec: String? = nil
    public var statsFormat = StatsFormat.tnetstring
    /// `stats_connection_ttl`, `stats_subscription_ttl` (seconds) and `stats_report_interval`.
    public var statsConnectionTTL = 120
    public var statsSubscriptionTTL = 60
    public var statsReportIntervalNanos: Int64 = 10_000_000_000

    public init() {}

    var isEmpty: Bool { pushInSpec == nil && pushInSubSpecs.isEmpty && commandSpec == nil && statsSpec == nil }
}
