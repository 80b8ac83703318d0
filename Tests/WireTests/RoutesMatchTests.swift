import Testing
@testable import Wire

/// Route selection (spec/config.md §1.3): host candidates, then the most specific (proto, path_beg, ssl) match.
@Suite struct RoutesMatchTests {
    /// Routes whose single target names the route, so a match can be checked by that name.
    private func table(_ lines: [String]) -> RouteTable {
        let result = RouteTable.parse(lines: lines, fileName: "routes")
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        return result.table
    }

    private func name(_ route: Route?) -> String? {
        guard case .http(let host, _)? = route?.targets.first?.kind else { return nil }
        return host
    }

    private func pick(_ table: RouteTable, host: String? = "example.com", path: String = "/", ws: Bool = false, tls: Bool = false) -> String? {
        name(table.match(host: host, path: path, isWebSocket: ws, isTLS: tls))
    }

    @Test func testOnlyMatchesEverything() {
        for (host, ws, tls) in [("a.com", false, false), ("b.org:8080", true, true)] as [(String?, Bool, Bool)] {
            let route = RouteTable.testOnly.match(host: host, path: "/anything", isWebSocket: ws, isTLS: tls)
            #expect(route?.targets == [RouteTarget(kind: .test)])
        }
        #expect(RouteTable.testOnly.match(host: nil, path: "", isWebSocket: false, isTLS: false) != nil)
    }

    @Test func emptyTableMatchesNothing() {
        let empty = RouteTable.parse("# nothing").table
        #expect(empty.match(host: "a", path: "/", isWebSocket: false, isTLS: false) == nil)
        #expect(empty.route(id: "*,*,*,*") == nil)
    }

    @Test func hostRoutesShadowWildcard() {
        let routes = table(["* wild:1", "example.com,path_beg=/api host:1"])
        #expect(pick(routes, path: "/api/x") == "host")
        // The host has routes, so `*` is not consulted even though none of them match.
        #expect(pick(routes, path: "/other") == nil)
        #expect(pick(routes, host: "other.com", path: "/other") == "wild")
        #expect(pick(routes, host: nil, path: "/api") == "wild")
    }

    @Test func noWildcardAndUnknownHostIsNoMatch() {
        let routes = table(["example.com host:1"])
        #expect(pick(routes, host: "other.com") == nil)
        #expect(pick(routes, host: nil) == nil)
    }

    @Test func hostComparisonIgnoresCaseAndPort() {
        let routes = table(["* wild:1", "Example.COM host:1", "[::1] v6:1", "10.0.0.1 v4:1"])
        for host in ["example.com", "EXAMPLE.com", "example.com:8080", "Example.Com:443"] {
            #expect(pick(routes, host: host) == "host", "\(host)")
        }
        #expect(pick(routes, host: "[::1]:7999") == "v6")
        #expect(pick(routes, host: "[::1]") == "v6")
        #expect(pick(routes, host: "::1") == "v6")
        #expect(pick(routes, host: "10.0.0.1:80") == "v4")
        #expect(pick(routes, host: "example.co") == "wild")
        #expect(pick(routes, host: "example.com.") == "wild")
        #expect(pick(routes, host: "") == "wild")
    }

    @Test func protoSetBeatsUnset() {
        let routes = table(["* any:1", "*,proto=ws ws:1"])
        #expect(pick(routes, ws: true) == "ws")
        #expect(pick(routes, ws: false) == "any")
        let httpOnly = table(["*,proto=http http:1"])
        #expect(pick(httpOnly, ws: true) == nil)
    }

    @Test func protoOutranksLongerPathBeg() {
        let routes = table(["*,path_beg=/long/path long:1", "*,proto=http proto:1"])
        #expect(pick(routes, path: "/long/path/x") == "proto")
        #expect(pick(routes, path: "/long/path/x", ws: true) == "long")
    }

    @Test func longerPathBegWins() {
        let routes = table(["*,path_beg=/a a:1", "* root:1", "*,path_beg=/a/b/c abc:1", "*,path_beg=/a/b ab:1"])
        #expect(pick(routes, path: "/a/b/c/d") == "abc")
        #expect(pick(routes, path: "/a/b/x") == "ab")
        #expect(pick(routes, path: "/a") == "a")
        #expect(pick(routes, path: "/b") == "root")
        #expect(pick(routes, path: "/A/b/c") == "root")
    }

    @Test func sslSetBeatsUnsetAndFilters() {
        let routes = table(["* any:1", "*,ssl=yes tls:1"])
        #expect(pick(routes, tls: true) == "tls")
        #expect(pick(routes, tls: false) == "any")
        let plainOnly = table(["*,ssl=no plain:1"])
        #expect(pick(plainOnly, tls: true) == nil)
        #expect(pick(plainOnly, tls: false) == "plain")
    }

    @Test func pathBegOutranksSsl() {
        // Both orders: the longer path_beg wins even though the other route sets ssl.
        for lines in [["*,path_beg=/a/b long:1", "*,ssl=no,path_beg=/a short:1"],
                      ["*,ssl=no,path_beg=/a short:1", "*,path_beg=/a/b long:1"]] {
            #expect(pick(table(lines), path: "/a/b/c") == "long")
        }
    }

    @Test func fileOrderDoesNotMatter() {
        let lines = [
            "* r1:1", "*,proto=ws r2:1", "*,proto=http,path_beg=/api r3:1", "*,path_beg=/api/v2 r4:1",
            "*,ssl=yes r5:1", "*,proto=ws,ssl=no,path_beg=/api r6:1", "*,proto=ws,path_beg=/api/v2/stream r7:1",
        ]
        let requests: [(String, Bool, Bool)] = [
            ("/", false, false), ("/", true, true), ("/api/x", false, true), ("/api/x", true, false),
            ("/api/v2/x", false, false), ("/api/v2/stream/1", true, true), ("/api/v2/stream/1", true, false),
        ]
        let reference = table(lines)
        let expected = requests.map { pick(reference, path: $0.0, ws: $0.1, tls: $0.2) }
        #expect(expected == ["r1", "r2", "r3", "r6", "r3", "r7", "r7"])
        for rotation in 1..<lines.count {
            let rotated = Array(lines[rotation...] + lines[..<rotation])
            let other = table(rotated.reversed())
            #expect(requests.map { pick(other, path: $0.0, ws: $0.1, tls: $0.2) } == expected)
        }
    }

    @Test func pathMatchIsBytewiseOnEncodedPath() {
        let routes = table(["*,path_beg=/caf%C3%A9 encoded:1", "*,path_beg=/café raw:1", "* root:1"])
        #expect(pick(routes, path: "/caf%C3%A9/menu") == "encoded")
        #expect(pick(routes, path: "/café") == "raw")
        #expect(pick(routes, path: "/caf%c3%a9") == "root")
    }

    @Test func idOnlyRoutesAreNotMatchedByHost() {
        let routes = table(["id=events,path_beg=/events/ events:1"])
        #expect(pick(routes, path: "/events/1") == nil)
        #expect(name(routes.route(id: "events")) == "events")
    }

    @Test func routeByID() {
        let routes = table([
            "* wild:1", "example.com,id=api,path_beg=/api/ api:1", "*,proto=ws,ssl=yes wss:1",
            "id=events,path_beg=/events/ events:1",
        ])
        #expect(name(routes.route(id: "api")) == "api")
        #expect(name(routes.route(id: "*,*,*,*")) == "wild")
        #expect(name(routes.route(id: "*,ws,no-ssl,*")) == "wss")
        #expect(routes.route(id: "example.com,*,*,/api/") == nil)
        #expect(routes.route(id: "missing") == nil)
        #expect(name(routes.route(id: "events", path: "/events/9")) == "events")
        #expect(routes.route(id: "events", path: "/other") == nil)
        #expect(name(routes.route(id: "wild", path: "/x")) == nil)
        #expect(name(routes.route(id: "*,*,*,*", path: "/x")) == "wild")
    }

    @Test func matchIndexAgreesWithMatch() {
        let routes = table(["* a:1", "example.com b:1"])
        let index = routes.matchIndex(host: "example.com:80", path: "/", isWebSocket: false, isTLS: false)
        #expect(index == 1)
        #expect(routes.match(host: "example.com:80", path: "/", isWebSocket: false, isTLS: false) == routes.routes[1])
    }

    @Test func manyHostsIndex() {
        let lines = (0..<500).map { "host\($0).example.com,path_beg=/p\($0 % 7) h\($0):1" } + ["* wild:1"]
        let routes = table(lines)
        for index in stride(from: 0, to: 500, by: 37) {
            #expect(pick(routes, host: "HOST\(index).example.com:443", path: "/p\(index % 7)/x") == "h\(index)")
            #expect(pick(routes, host: "host\(index).example.com", path: "/q") == nil)
        }
        #expect(pick(routes, host: "host500.example.com") == "wild")
    }
}
