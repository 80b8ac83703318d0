import SeededRandom
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

    /// Mutated heads never trap, and a host that comes back is never empty nor has ASCII capitals.
    @Test func mutatedHeadsAreSafe() {
        var random = SeededRandom(seed: 0x7115_0C7_2026)
        let corpus = Array("GET / HTTP/1.1\r\nAccept: */*\r\nHost: [::1]:80\r\nX-A: Host: b\r\n\r\n".utf8)
        for _ in 0..<5_000 {
            var bytes = corpus
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes.remove(at: index)
                default: bytes.insert([0x0D, 0x0A, 0x3A, 0x5B, 0x5D, 0x20][Int.random(in: 0..<6, using: &random)], at: index)
                }
                if bytes.isEmpty { bytes = corpus }
            }
            if let host = RequestHeadHost.host(in: bytes) {
                #expect(!host.isEmpty && !host.utf8.contains { $0 >= 0x41 && $0 <= 0x5A })
            }
        }
    }

    @Test func noHost() {
        #expect(host("GET / HTTP/1.1\r\nX-Host: a\r\nHostile: b\r\n\r\n") == nil)
        #expect(host("GET / HTTP/1.1\r\nHost:\r\n\r\n") == nil)
        #expect(host("GET /Host: a HTTP/1.1\r\n\r\nHost: body\r\n") == nil)
        #expect(host("") == nil)
    }
}
