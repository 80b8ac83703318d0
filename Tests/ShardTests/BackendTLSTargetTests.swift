import Testing
@testable import Shard

/// Which name a TLS backend connection sends as SNI, which it verifies, and which pool it
/// joins: the Host of the request sent, unless `trust_connect_host` or `insecure` say otherwise.
@Suite struct BackendTLSTargetTests {
    private func target(verify: Bool = true, trustConnectHost: Bool = false) -> BackendTLSTarget {
        BackendTLSTarget(context: nil, verify: verify, trustConnectHost: trustConnectHost, connectHost: "10.0.0.5", signature: "s")
    }

    private let head = Array("GET / HTTP/1.1\r\nHost: API.example.com:8443\r\n\r\n".utf8)

    @Test func theHostIsServerNameAndVerifiedName() {
        let tls = target()
        #expect(tls.serverName(head: head) == "api.example.com")
        #expect(tls.verifiedName(serverName: "api.example.com") == "api.example.com")
    }

    @Test func trustConnectHostVerifiesTheTargetButKeepsTheHostAsServerName() {
        let tls = target(trustConnectHost: true)
        #expect(tls.serverName(head: head) == "api.example.com")
        #expect(tls.verifiedName(serverName: "api.example.com") == "10.0.0.5")
    }

    @Test func insecureVerifiesNothing() {
        #expect(target(verify: false).verifiedName(serverName: "api.example.com") == nil)
    }

    @Test func noHostFallsBackToTheTarget() {
        #expect(target().serverName(head: Array("GET / HTTP/1.0\r\n\r\n".utf8)) == "10.0.0.5")
    }

    /// Pooled connections are never shared across names, nor with plain ones (`host:port` keys).
    @Test func poolKeysSeparateNames() {
        let tls = target()
        #expect(tls.poolKey(serverName: "a.example") != tls.poolKey(serverName: "b.example"))
        #expect(tls.poolKey(serverName: "a.example").hasPrefix("tls "))
    }
}
