import Testing

@testable import Wire

@Suite struct RequestRewriteTests {
    func route(_ line: String) throws -> Route {
        let (table, diagnostics) = RouteTable.parse(line)
        #expect(diagnostics.isEmpty)
        return try #require(table.routes.first)
    }

    @Test func aRouteWithNoRewriteOptionsHasNoRewrite() throws {
        let plain = try route("*,path_beg=/api,prefix=p,aco localhost:8000")
        #expect(RequestRewrite(route: plain, target: plain.targets.first) == nil)
    }

    @Test func pathRemStripsLeadingBytesAndKeepsTheQuery() throws {
        let r = try route("*,path_beg=/api,path_rem=4 localhost:8000")
        let rewrite = try #require(RequestRewrite(route: r, target: r.targets.first))
        #expect(rewrite.target("/api/items?x=1") == "/items?x=1")
        #expect(rewrite.target("/api?x=1") == "/?x=1")
        #expect(rewrite.target("/api") == "/")
        #expect(rewrite.target("/a") == "/")
    }

    @Test func replaceBegSwapsTheMatchedPrefix() throws {
        let r = try route("*,path_beg=/old/,replace_beg=/new/v2/ localhost:8000")
        let rewrite = try #require(RequestRewrite(route: r, target: r.targets.first))
        #expect(rewrite.target("/old/x?y=%2F") == "/new/v2/x?y=%2F")
        let empty = try route("*,path_beg=/old/,replace_beg= localhost:8000")
        #expect(RequestRewrite(route: empty, target: nil)?.target("/old/x") == "/x")
    }

    @Test func asteriskFormIsNeverRewritten() {
        #expect(RequestRewrite(pathRemove: 2, pathPrepend: "/p").target("*") == "*")
    }

    @Test func headerOptionsReplaceEveryFieldOfTheNameAndEmptyRemoves() throws {
        let r = try route(#"*,header=X-Api-Key:secret,header=Cookie:,header="X-Two: b" localhost:8000"#)
        let rewrite = try #require(RequestRewrite(route: r, target: r.targets.first))
        var fields = HTTPHeaders([("Host", "h"), ("x-api-key", "client"), ("Cookie", "a=1"), ("X-Api-Key", "again"), ("Accept", "*/*")])
        rewrite.apply(to: &fields)
        #expect(lines(fields) == ["Host: h", "Accept: */*", "X-Api-Key: secret", "X-Two: b"])
    }

    @Test func anEmptyHostMeansNone() throws {
        let r = try route(#"*,as_host=a.internal localhost:8000,host="""#)
        #expect(RequestRewrite(route: r, target: r.targets.first)?.host == "a.internal")
        let none = try route(#"*,as_host="" localhost:8000"#)
        #expect(RequestRewrite(route: none, target: none.targets.first) == nil)
    }

    @Test func targetHostBeatsAsHostAndReplacesTheHostInPlace() throws {
        let both = try route("*,as_host=api.internal:81 localhost:8000,host=other.internal")
        #expect(RequestRewrite(route: both, target: both.targets.first)?.host == "other.internal")
        let asHost = try route("*,as_host=api.internal:81 localhost:8000")
        var fields = HTTPHeaders([("Accept", "a"), ("Host", "client.example"), ("X", "1")])
        RequestRewrite(route: asHost, target: asHost.targets.first)?.apply(to: &fields)
        #expect(lines(fields) == ["Accept: a", "Host: api.internal:81", "X: 1"])
    }

    /// The whole forwarded head: the rewrite applies to absolute-form requests too, and
    /// the proxy's own fields still come after the route's.
    @Test func forwardedHeadCarriesTheRewrite() throws {
        let r = try route("*,path_beg=/api/,replace_beg=/,as_host=backend:8080,header=X-Route:api localhost:8000")
        let request = HTTPRequestHead(
            method: "GET", target: "http://client.example/api/x?q", version: .http11,
            headers: HTTPHeaders([("Host", "client.example"), ("X-Route", "forged")]))
        let out = RequestForwarding(xForwardedFor: [.append], setXForwardedProtocol: .none).head(
            for: request, framing: .none, peerHost: "192.0.2.1", isTLS: false, backendHost: "localhost:8000", grip: false,
            gripSignature: nil, rewrite: RequestRewrite(route: r, target: r.targets.first))
        #expect(out.target == "/x?q")
        #expect(lines(out.headers) == ["Host: backend:8080", "X-Route: api", "X-Forwarded-For: 192.0.2.1"])
    }
}
