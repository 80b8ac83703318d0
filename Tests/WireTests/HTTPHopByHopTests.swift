import Testing

@testable import Wire

@Suite struct HTTPHopByHopTests {
    @Test(arguments: ["Connection", "Keep-Alive", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "connection", "KEEP-ALIVE", "te"])
    func dropsEachHopByHopField(name: String) {
        let headers = HTTPHeaders([("Accept", "*/*"), (name, "x"), ("X-Other", "1")])
        #expect(lines(HopByHop.stripped(headers)) == ["Accept: */*", "X-Other: 1"])
    }

    @Test func isHopByHopIsExactlyTheNameListAndProxyFields() {
        for name in HopByHop.names { #expect(HopByHop.isHopByHop(name.uppercased()), "\(name)") }
        for name in ["tea", "t", "upgrades", "trailers", "connections", "keep-alivee", "transfer-encodings", "content-length", "proxy-"] {
            #expect(!HopByHop.isHopByHop(name), "\(name)")
        }
        // Proxy-* names of the hop-by-hop names' lengths too.
        for name in ["Proxy-Authorization", "Proxy-Stub", "Proxy-X", "Proxy-Connection"] { #expect(HopByHop.isHopByHop(name), "\(name)") }
    }

    @Test func keepsEverythingElseInOrderWithSpellingAndDuplicates() {
        let headers = HTTPHeaders([
            ("set-cookie", "a=1"), ("Content-Type", "text/plain"), ("Set-Cookie", "b=2"), ("X-TE", "1"), ("Trailers", "no"),
            ("Content-Length", "5"),
        ])
        #expect(HopByHop.stripped(headers) == headers)
    }

    @Test func dropsFieldsTheConnectionHeaderNames() {
        let headers = HTTPHeaders([
            ("Connection", "X-Secret ,\tx-trace"), ("X-Secret", "1"), ("X-Trace", "2"), ("connection", "Foo"), ("foo", "3"),
            ("X-Kept", "4"),
        ])
        #expect(lines(HopByHop.stripped(headers)) == ["X-Kept: 4"])
    }

    @Test func connectionOptionsCloseAndKeepAliveAreNotFieldNames() {
        // A field that happens to be called "Close" is not removed by "Connection: close".
        let headers = HTTPHeaders([("Connection", "close, Keep-Alive"), ("Close", "yes"), ("Keep-Alive", "timeout=5")])
        #expect(lines(HopByHop.stripped(headers)) == ["Close: yes"])
    }

    @Test func emptyConnectionListElementsRemoveNothing() {
        let headers = HTTPHeaders([("Connection", ", ,,"), ("A", "1")])
        #expect(lines(HopByHop.stripped(headers)) == ["A: 1"])
    }

    @Test func dropsProxyFields() {
        let headers = HTTPHeaders([
            ("Proxy-Authorization", "Basic x"), ("proxy-connection", "keep-alive"), ("PROXY-Foo", "1"), ("Proxy-", "kept: nothing after the dash"),
            ("Proxy", "kept"), ("Proxyish", "kept"), ("X-Proxy-Id", "kept"),
        ])
        #expect(lines(HopByHop.stripped(headers)) == ["Proxy-: kept: nothing after the dash", "Proxy: kept", "Proxyish: kept", "X-Proxy-Id: kept"])
    }

    @Test func alsoRemoveIsCaseInsensitive() {
        let headers = HTTPHeaders([("Expect", "100-continue"), ("ACCEPT-ENCODING", "gzip"), ("Accept", "*/*")])
        #expect(lines(HopByHop.stripped(headers, alsoRemove: ["expect", "accept-encoding"])) == ["Accept: */*"])
    }

    @Test func emptyInEmptyOut() {
        #expect(HopByHop.stripped(HTTPHeaders()).isEmpty)
    }
}
