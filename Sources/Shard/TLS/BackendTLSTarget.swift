import Wire

/// What connecting to one `ssl` route target takes, worked out when routes are installed:
/// the context (with the target's client identity), whether the certificate is verified,
/// and which name it must be valid for.
final class BackendTLSTarget {
    /// nil when the target's client identity could not be loaded: its connections fail as TLS errors.
    let context: TLSContext?
    /// Not `insecure`.
    let verify: Bool
    /// `trust_connect_host`: the certificate must be valid for the target's own host rather
    /// than for the Host of the request sent (which Pushpin verifies, as the request URI's host).
    let trustConnectHost: Bool
    /// The target's host: the verified name under `trust_connect_host`, and the name of a
    /// request with no Host.
    let connectHost: String
    /// Idle connections are pooled by this plus their server name, so a plain connection, one
    /// with another identity or one verified for another name is never reused.
    private let poolKeyPrefix: String

    init(context: TLSContext?, verify: Bool, trustConnectHost: Bool, connectHost: String, signature: String) {
        self.context = context
        self.verify = verify
        self.trustConnectHost = trustConnectHost
        self.connectHost = connectHost
        poolKeyPrefix = "tls " + signature + " "
    }

    /// The name sent as SNI for a request whose head is `head`: its Host, as Pushpin sends
    /// it (also under `trust_connect_host`).
    func serverName(head: [UInt8]) -> String {
        RequestHeadHost.host(in: head) ?? connectHost
    }

    /// The name the certificate must be valid for; nil when it is not verified (`insecure`).
    func verifiedName(serverName: String) -> String? {
        guard verify else { return nil }
        return trustConnectHost ? connectHost : serverName
    }

    func poolKey(serverName: String) -> String { poolKeyPrefix + serverName }
}
