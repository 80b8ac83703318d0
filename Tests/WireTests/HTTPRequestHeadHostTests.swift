import Testing
import Wire

/// The TLS server name of a backend request: the host part of the Host field of the head sent.
@Suite struct HTTPRequestHeadHostTests {
    private func host(_ head: String) -> String? {
        RequestHeadHost.host(in: Array(head.utf8))
    }

    @Test func hostWithoutPortLowerCased() {
        #expect(host("GET / HTTP/1.1\r\nAccept: */*\r\nhOST:  API.Example.com:8443 \r\n\r\n") == "api.example.com")
        #expect(host("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n") == "localhost")
    }

    @Test func ipLiterals() {
        #expect(host("GET / HTTP/1.1\r\nHost: [::1]:9000\r\n\r\n") == "::1")
        #expect(host("GET / HTTP/1.1\r\nHost: 127.0.0.1:80\r\n\r\n") == "127.0.0.1")
    }

    @Test func noHost() {
        #expect(host("GET / HTTP/1.1\r\nX-Host: a\r\nHostile: b\r\n\r\n") == nil)
        #expect(host("GET / HTTP/1.1\r\nHost:\r\n\r\n") == nil)
        #expect(host("GET /Host: a HTTP/1.1\r\n\r\nHost: body\r\n") == nil)
        #expect(host("") == nil)
    }
}
