/// One target section of a routes-file line: where a matched request goes.
public struct RouteTarget: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The built-in test handler (`test`).
        case test
        /// A TCP backend. IPv6 literals are stored without brackets (`[::1]:9000` → host `::1`).
        case http(host: String, port: Int)
        /// A ZHTTP handler over ZeroMQ: `zhttp/<spec>` (stream mode) or `zhttpreq/<spec>` (`req: true`).
        case zhttp(spec: String, req: Bool)
    }

    public var kind: Kind
    /// Connect with TLS (https/wss).
    public var ssl: Bool = false
    /// Skip backend certificate verification.
    public var insecure: Bool = false
    /// Bridge WebSocket clients to this target with WebSocket-over-HTTP.
    public var overHTTP: Bool = false
    /// WebSocket-over-HTTP: one message event per request.
    public var oneEvent: Bool = false
    /// Policies for untrusted targets apply (e.g. no internal addresses).
    public var untrusted: Bool = false
    /// Accept a certificate valid for the connect host rather than the Host.
    public var trustConnectHost: Bool = false
    /// `host=`: Host / URI authority for the backend request (also SNI and certificate name).
    public var hostHeader: String?
    /// `sub=` (repeatable): channels every connection through this target is subscribed to. Empty values are dropped.
    public var subscriptions: [String] = []
    /// `client_cert=` / `client_key=`: PEM files for mutual TLS.
    public var clientCert: String?
    public var clientKey: String?
    /// `ipc_file_mode=` (octal) for zhttp targets with ipc specs.
    public var ipcFileMode: Int?

    public init(kind: Kind) {
        self.kind = kind
    }

    /// `host:port` for the request line and Host header, with brackets around IPv6 literals; nil unless `.http`.
    public var authority: String? {
        guard case .http(let host, let port) = kind else { return nil }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
