import Wire

/// What connecting to one `ssl` route target takes, worked out when routes are installed:
/// the context (with the target's client identity), whether the certificate is verified,
/// and which name it must be valid for.
final class BackendTLSTarget {
    /// nil when the target's client identity could not be loaded: its connections fail as TLS errors.
    let context: BackendTLSContext?
    /// Not `insecure`.
    let verify: Bool
    /// `trust_connect_host`: the target's own host is the name, whatever the request's Host;
    /// otherwise the Host of the request sent (Pushpin verifies the request URI's host).
    let trustConnectHost: Bool
    /// The target's host: the name under `trust_connect_host`, and for a request with no Host.
    let connectHost: String
    /// Idle connections are pooled by this plus the name they were verified for, so a plain
    /// connection, one to another identity or one verified for another name is never reused.
    private let poolKeyPrefix: String

    init(context: BackendTLSContext?, verify: Bool, trustConnectHost: Bool, connectHost: String, signature: String) {
        self.context = context
        self.verify = verify
        self.trustConnectHost = trustConnectHost
        self.connectHost = connectHost
        poolKeyPrefix = "tls " + signature + " "
    }

    /// The SNI and certificate name for a request whose head is `head`.
    func serverName(head: [UInt8]) -> String {
        if trustConnectHost { return connectHost }
        return RequestHeadHost.host(in: head) ?? connectHost
    }

    func poolKey(serverName: String) -> String { poolKeyPrefix + serverName }
}
