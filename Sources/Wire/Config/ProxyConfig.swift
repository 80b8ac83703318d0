/// One `x_forwarded_for` rule: `truncate:N` keeps the last N existing values (0 drops them all), `append` adds the peer address.
public enum XForwardedForRule: Sendable, Equatable {
    case truncate(Int)
    case append
}

/// `set_x_forwarded_protocol`: which headers announce an https/wss client scheme to the backend.
public enum ForwardedProtocolMode: Sendable, Equatable {
    /// Neither header.
    case none
    /// `X-Forwarded-Proto` only (`proto-only`, the default).
    case protoOnly
    /// `X-Forwarded-Proto` and the legacy `X-Forwarded-Protocol` (`true`).
    case both
}

/// Everything pushpind takes from `pushpin.conf`, with Pushpin's defaults.
public struct ProxyConfig: Sendable, Equatable {
    // [global]
    /// `{libdir}`: where `internal.conf` lives.
    public var libDir: String = ProxyConfig.defaultLibDir
    /// `{rundir}`.
    public var runDir: String = "run"
    /// `{ipc_prefix}`.
    public var ipcPrefix: String = "pushpin-"
    /// Added to `push_in_http_port` (and, in Pushpin, to tcp ZMQ ports).
    public var portOffset: Int = 0

    // [runner]
    /// `http_port`: plain listeners; an empty value means none.
    public var httpPorts: [ListenAddress] = [ListenAddress(host: "0.0.0.0", port: 7999)]
    /// `https_ports`: TLS listeners (none by default).
    public var httpsPorts: [ListenAddress] = []
    /// Where TLS listeners find `<name>.crt` + `<name>.key`: `<configdir>/runner/certs`, as Pushpin.
    public var certificatesDirectory: String = "runner/certs"
    /// `client_buffer_size`: a full request header must fit.
    public var clientBufferSize: Int = 8192
    /// `client_maxconn`.
    public var clientMaxConnections: Int = 50000
    /// `allow_compression`: permessage-deflate toward WebSocket clients.
    public var allowCompression: Bool = false
    /// `websocket_ping_interval` (pushpind only): seconds of silence toward a WebSocket client
    /// after which pushpind pings it; 0 turns pings off.
    public var webSocketPingSeconds: Int = 30
    /// `websocket_message_max` (pushpind only): largest WebSocket message a client may send,
    /// in bytes; a larger one is refused with close code 1009.
    public var webSocketMessageMaxBytes: Int = 16 << 20
    /// `client_header_timeout`, `client_idle_timeout`, `client_body_timeout` (pushpind only):
    /// seconds a client may take to send a request head (else 408), to start its next request
    /// on a keep-alive connection (else closed), and between bytes of a request body (else
    /// 408); 0 turns a limit off.
    public var clientHeaderTimeoutSeconds: Int = 30
    public var clientIdleTimeoutSeconds: Int = 60
    public var clientBodyTimeoutSeconds: Int = 60
    /// `client_handshake_timeout` (pushpind only): seconds a TLS client may take to finish its
    /// handshake, from the accept (else closed and counted); 0 leaves the handshake under
    /// `client_header_timeout` alone.
    public var clientHandshakeTimeoutSeconds: Int = 10
    /// `log_level`: 0 error, 1 warn, 2 info, 3 debug, 4 trace.
    public var logLevel: Int = 2

    // [proxy]
    /// Absolute path of the routes file; "" means the built-in `* test` table.
    public var routesFile: String = ""
    public var debug: Bool = false
    /// `auto_cross_origin`: CORS and JSON-P for all routes.
    public var autoCrossOrigin: Bool = false
    public var acceptXForwardedProtocol: Bool = false
    public var setXForwardedProtocol: ForwardedProtocolMode = .protoOnly
    public var xForwardedFor: [XForwardedForRule] = []
    public var xForwardedForTrusted: [XForwardedForRule] = []
    /// `orig_headers_need_mark`: header names that must already be marked to count as original.
    public var origHeadersNeedMark: [String] = []
    public var acceptPushpinRoute: Bool = false
    /// `cdn_loop`: value appended to `CDN-Loop`; nil when unset or empty.
    public var cdnLoop: String?
    /// `log_from` / `log_user_agent`: extra fields on request log lines.
    public var logFrom: Bool = false
    public var logUserAgent: Bool = false
    public var sigISS: String = "pushpin"
    /// Raw `sig_key` text as written (`base64:` / `file:` forms kept).
    public var sigKey: String = "changeme"
    /// `sigKey` resolved to the HMAC key bytes.
    public var sigKeyBytes: [UInt8] = Array("changeme".utf8)
    /// Raw `upstream_key` text; nil when unset or empty.
    public var upstreamKey: String?
    public var upstreamKeyBytes: [UInt8]?
    /// `backend_timeout` (pushpind only): seconds a backend may take to connect and start
    /// its response before the client gets 504.
    public var backendTimeoutSeconds: Int = 30
    /// `backend_pool_max` (pushpind only): idle keep-alive connections each shard keeps per
    /// backend target (0: a backend connection serves one request).
    public var backendPoolMax: Int = 1024

    // [handler]
    /// `push_in_http_addr` : `push_in_http_port` + `port_offset`.
    public var controlAddress = ListenAddress(host: "127.0.0.1", port: 5561)
    public var controlMaxHeadersSize: Int = 10000
    public var controlMaxBodySize: Int = 1_000_000
    /// `push_in_http_idle_timeout` (pushpind only): seconds a kept-alive control connection may idle; 0 is never.
    public var controlIdleTimeoutSeconds: Int = 60
    /// `push_in_http_key` (pushpind extension): raw text as written; nil when unset or empty.
    public var pushInHTTPKey: String?
    public var pushInHTTPKeyBytes: [UInt8]?
    public var connectionSubscriptionMax: Int = 20
    /// `stats_report_interval` in seconds ([handler], else [proxy]).
    public var statsReportInterval: Int = 10
    /// `stats_spec`: the ZeroMQ PUB stats socket, `port_offset` applied; nil when unset or empty.
    public var statsSpec: String?
    /// `stats_format`: how stats messages are encoded.
    public var statsFormat: StatsFormat = .tnetstring
    /// `[global] stats_connection_ttl` and `[handler] stats_subscription_ttl` in seconds.
    public var statsConnectionTTL: Int = 120
    public var statsSubscriptionTTL: Int = 60
    /// `push_in_spec`: the ZeroMQ PULL input, `port_offset` applied; nil when unset or empty.
    public var pushInSpec: String?
    /// `push_in_sub_specs`: the ZeroMQ SUB input's endpoints, `port_offset` applied.
    public var pushInSubSpecs: [String] = []
    /// `command_spec`: the ZeroMQ REP command socket, `port_offset` applied; nil when unset or empty.
    public var commandSpec: String?
    /// `push_in_sub_connect`: the SUB input connects to its endpoints instead of binding.
    public var pushInSubConnect: Bool = false
    /// `subscription_linger` in seconds: the SUB input keeps a channel subscribed this long after its last subscriber left.
    public var subscriptionLinger: Int = 60
    /// `message_wait` in milliseconds: how long an item published out of order (`prev-id`) waits for its predecessor.
    public var messageWait: Int = 5000
    /// `id_cache_ttl` in seconds: how long a published (channel, id) is remembered to drop duplicates; 0 is off.
    public var idCacheTTL: Int = 0
    /// `update_on_first_subscription`: a second after a channel's first subscriber arrives,
    /// its reliable sessions catch up.
    public var updateOnFirstSubscription: Bool = true
    /// `recovery_update_rate` (pushpind extension): low-priority session updates per second.
    public var recoveryUpdateRate: Int = 10

    public init() {}

    /// No config file at all: listen on 0.0.0.0:7999, control on 127.0.0.1:5561, route everything to the test handler.
    public static let defaults = ProxyConfig()

    /// Where Pushpin's Debian package puts `internal.conf`.
    public static let defaultLibDir = "/usr/lib/pushpin"
}
