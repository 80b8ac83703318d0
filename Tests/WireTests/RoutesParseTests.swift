import Foundation
import Testing
@testable import Wire

/// Routes-file syntax (spec/config.md §1.1, §1.2, §1.4): what loads, what is skipped, and what is reported.
@Suite struct RoutesParseTests {
    private func parse(_ text: String) -> (routes: [Route], diagnostics: [RouteDiagnostic]) {
        let result = RouteTable.parse(text)
        return (result.table.routes, result.diagnostics)
    }

    private func single(_ line: String) throws -> Route {
        let (routes, diagnostics) = parse(line)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        return try #require(routes.first)
    }

    @Test func defaultTestRoute() throws {
        let route = try single("* test")
        #expect(route.condition == RouteCondition())
        #expect(route.targets == [RouteTarget(kind: .test)])
        #expect(route.lineNumber == 1)
        #expect(RouteTable.testOnly.routes == [route])
    }

    @Test func commentsBlankLinesAndSpacing() {
        let text = """
        # a comment line
            
        *    test   # trailing comment
        \texample.com\t\tlocalhost:8000
        api.example.com localhost:9000#no space before comment
        """
        let (routes, diagnostics) = parse(text)
        #expect(diagnostics.isEmpty)
        #expect(routes.map(\.lineNumber) == [3, 4, 5])
        #expect(routes[1].condition.host == "example.com")
        #expect(routes[1].targets[0].kind == .http(host: "localhost", port: 8000))
        #expect(routes[2].targets[0].kind == .http(host: "localhost", port: 9000))
    }

    @Test func crlfLineEndings() {
        let (routes, diagnostics) = parse("* test\r\nexample.com localhost:80\r\n")
        #expect(diagnostics.isEmpty)
        #expect(routes.count == 2)
        #expect(routes[1].targets[0].kind == .http(host: "localhost", port: 80))
    }

    @Test func allConditionProperties() throws {
        let route = try single(
            "Example.COM,proto=ws,ssl=yes,path_beg=/stream/,id=s1,sig_iss=iss,sig_key=base64:aGVsbG8=,prefix=p_,"
                + "orig_headers,as_host=backend:81,path_rem=3,debug,aco,session,no_grip,sockjs=/sockjs,"
                + #"sockjs_as_path=/ws,log_level=3,header=X-A:1,header="X-B: two" localhost:8000"#
        )
        #expect(route.condition == RouteCondition(host: "example.com", proto: .ws, ssl: true, pathBeg: "/stream/"))
        #expect(route.id == "s1")
        #expect(route.sigISS == "iss")
        #expect(route.sigKey == "base64:aGVsbG8=")
        #expect(route.prefix == "p_")
        #expect(route.origHeaders && route.debug && route.autoCrossOrigin && route.session && route.noGrip)
        #expect(route.asHost == "backend:81")
        #expect(route.pathRemove == 3)
        #expect(route.replaceBeg == nil)
        #expect(route.sockJSPath == "/sockjs")
        #expect(route.sockJSAsPath == "/ws")
        #expect(route.logLevel == 3)
        #expect(route.headers == [RouteHeader(name: "X-A", value: "1"), RouteHeader(name: "X-B", value: "two")])
    }

    @Test func flagsDefaultOff() throws {
        let route = try single("* localhost:80")
        #expect(!route.origHeaders && !route.debug && !route.autoCrossOrigin && !route.session && !route.noGrip)
        #expect(route.id == nil && route.pathRemove == nil && route.headers.isEmpty)
        #expect(route.jsonp == JSONPConfig())
    }

    @Test func allTargetProperties() throws {
        let route = try single(
            "* backend:443,ssl,insecure,host=api.example.com,trust_connect_host,untrusted,over_http,one_event,"
                + "sub=a,sub=,sub=b,client_cert=c.pem,client_key=k.pem"
        )
        let target = route.targets[0]
        #expect(target.kind == .http(host: "backend", port: 443))
        #expect(target.ssl && target.insecure && target.trustConnectHost && target.untrusted)
        #expect(target.overHTTP && target.oneEvent)
        #expect(target.hostHeader == "api.example.com")
        #expect(target.subscriptions == ["a", "b"])
        #expect(target.clientCert == "c.pem" && target.clientKey == "k.pem")
    }

    @Test func tlsOptionsWithoutSSLWarn() throws {
        let (routes, diagnostics) = parse("* localhost:80,insecure,client_cert=c.pem,client_key=k.pem\nexample.com localhost:443,ssl,insecure")
        #expect(routes.count == 2)
        #expect(diagnostics == [
            RouteDiagnostic(file: "routes", line: 1, message: "target insecure, client_cert without ssl has no effect", lineSkipped: false)
        ])
    }

    @Test func zhttpTargets() throws {
        let route = try single("* zhttp/tcp://127.0.0.1:10000,ipc_file_mode=770 zhttpreq/ipc:///tmp/handler")
        #expect(route.targets[0].kind == .zhttp(spec: "tcp://127.0.0.1:10000", req: false))
        #expect(route.targets[0].ipcFileMode == 0o770)
        #expect(route.targets[1].kind == .zhttp(spec: "ipc:///tmp/handler", req: true))
    }

    @Test func multipleTargetsKeepOrder() throws {
        let route = try single("*,proto=ws,ssl=yes 10.0.0.5:8080,over_http 10.0.0.6:8080,over_http test")
        #expect(route.targets.map(\.kind) == [
            .http(host: "10.0.0.5", port: 8080), .http(host: "10.0.0.6", port: 8080), .test,
        ])
        #expect(route.targets[0].overHTTP && route.targets[1].overHTTP && !route.targets[2].overHTTP)
    }

    @Test func ipv6Targets() throws {
        let route = try single("* [::1]:9000 [2001:db8::1]:443,ssl")
        #expect(route.targets[0].kind == .http(host: "::1", port: 9000))
        #expect(route.targets[0].authority == "[::1]:9000")
        #expect(route.targets[1].kind == .http(host: "2001:db8::1", port: 443))
        #expect(route.targets[1].ssl)
    }

    @Test(arguments: [
        ("* ::1:9000", "target bad format"),
        ("* [::1]9000", "target bad format"),
        ("* [::1]", "target bad format"),
        ("* [::1:9000", "target bad format"),
        ("* localhost", "target bad format"),
        ("* :8000", "target bad format"),
        ("* zhttp/", "target bad format"),
        ("* localhost:0", "target invalid port"),
        ("* localhost:65536", "target invalid port"),
        ("* localhost:http", "target invalid port"),
        ("* localhost:", "target invalid port"),
        ("* localhost:-80", "target invalid port"),
        ("* [::1]:99999", "target invalid port"),
        ("* localhost:443,ssl,client_cert=c.pem", "client_cert and client_key must be set together"),
        ("* localhost:443,ssl,client_key=k.pem", "client_cert and client_key must be set together"),
        ("* localhost:443,ssl,client_cert=,client_key=k.pem", "client_cert and client_key cannot be empty"),
    ])
    func badTargetsSkipLine(line: String, message: String) {
        let (routes, diagnostics) = parse("example.com test\n\(line)\nother.com test")
        #expect(routes.map(\.lineNumber) == [1, 3])
        #expect(diagnostics == [RouteDiagnostic(file: "routes", line: 2, message: message)])
    }

    @Test func quotingAndEscapes() throws {
        let route = try single(#"*,path_beg="/a b,c#d",prefix=pre"fix",header="X-Q:say \"hi\" \\ bye" test"#)
        #expect(route.condition.pathBeg == "/a b,c#d")
        #expect(route.prefix == "prefix")
        #expect(route.headers == [RouteHeader(name: "X-Q", value: #"say "hi" \ bye"#)])
    }

    @Test func quotedEmptyAndQuotedTarget() throws {
        let route = try single(#"* "localhost:80",host="""#)
        #expect(route.targets[0].kind == .http(host: "localhost", port: 80))
        #expect(route.targets[0].hostHeader == "")
    }

    @Test(arguments: [
        (#"*,prefix="a\nb" test"#, "unexpected escape character"),
        (#"*,prefix="abc test"#, "unterminated quoted string"),
        (#"*,prefix="abc\"#, "unterminated quoted string"),
        ("*,,ssl=yes test", "expecting prop"),
        ("*, test", "expecting prop"),
        ("*,=x test", "empty prop name"),
        ("*", "must specify condition and at least one target"),
        ("example.com  # no target", "must specify condition and at least one target"),
        ("*,proto=tcp test", "proto must be set to 'http' or 'ws'"),
        ("*,ssl=true test", "ssl must be set to 'yes' or 'no'"),
        ("*,path_beg= test", "path_beg cannot be empty"),
        ("*,path_beg test", "path_beg cannot be empty"),
        ("*,jsonp_mode=fancy test", "jsonp_mode must be set to 'basic' or 'extended'"),
        ("*,header=NoColon test", "header must use format 'name:value'"),
        ("*,header=:v test", "header must use format 'name:value'"),
        ("*,path_rem=x test", "path_rem must be a non-negative integer"),
        ("*,header=Content-Length:5 test", "header 'Content-Length' frames the request; pushpind sets it itself"),
        ("*,header=transfer-encoding:chunked test", "header 'transfer-encoding' frames the request; pushpind sets it itself"),
        ("*,header=Connection:close test", "header 'Connection' frames the request; pushpind sets it itself"),
        ("*,header=Host:h test", "header 'Host' cannot be set with header=; use as_host"),
        ("*,header=Grip-Sig:x test", "header 'Grip-Sig': Grip-* fields are the proxy's own"),
        (#"*,header="X A:1" test"#, #"field name "X A" is not a token"#),
        ("*,header=X-A:\u{01} test", #"field "X-A" has a control character (CR, LF, NUL …) in its value"#),
        (#"*,as_host="a b" test"#, "as_host: host 'a b' must be host[:port]"),
        ("*,as_host=a/b test", "as_host: host 'a/b' must be host[:port]"),
        (#"*,replace_beg="/a b" test"#, "replace_beg '/a b' must be a path without spaces, ? or #"),
        ("* localhost:80,host=x@y", "target host: host 'x@y' must be host[:port]"),
        ("*,log_level=-1 test", "log_level must be a non-negative integer"),
        ("*,sig_key=base64:!!! test", "sig_key has invalid base64"),
        ("path_beg=/x test", "condition has no domain or id"),
        (#""" test"#, "condition has no domain or id"),
    ])
    func malformedLinesSkippedOthersLoad(line: String, message: String) {
        let (routes, diagnostics) = parse("# header\n\(line)\n* test")
        #expect(routes.count == 1)
        #expect(routes.first?.lineNumber == 3)
        #expect(diagnostics == [RouteDiagnostic(file: "routes", line: 2, message: message)])
    }

    @Test func diagnosticDescriptionNamesFileAndLine() {
        let result = RouteTable.parse("* test\n\nbad", fileName: "/etc/pushpin/routes")
        #expect(result.diagnostics.map(\.description) == ["/etc/pushpin/routes:3: must specify condition and at least one target"])
        #expect(RouteDiagnostic(file: "routes", line: 3, message: "oops").description == "routes:3: oops")
    }

    @Test func duplicateConditionsSkipLaterLine() {
        let text = """
        * a:1
        *,proto=ws b:1
        * c:1
        *,proto=ws d:1
        *,proto=ws,path_beg=/x e:1
        example.com f:1
        EXAMPLE.com g:1
        other.com h:1
        """
        let (routes, diagnostics) = parse(text)
        #expect(routes.map { $0.targets[0].kind } == [
            .http(host: "a", port: 1), .http(host: "b", port: 1), .http(host: "e", port: 1),
            .http(host: "f", port: 1), .http(host: "h", port: 1),
        ])
        #expect(diagnostics.map(\.line) == [3, 4, 7])
        #expect(diagnostics.allSatisfy { $0.message == "skipping duplicate condition" && $0.lineSkipped })
    }

    @Test func idOnlyLines() throws {
        let route = try single("id=events,path_beg=/events/,prefix=ev_ [::1]:9000 # selected via Pushpin-Route: events")
        #expect(route.condition.idOnly)
        #expect(route.condition.host == nil)
        #expect(route.condition.pathBeg == "/events/")
        #expect(route.id == "events")
        #expect(route.prefix == "ev_")
        #expect(route.targets[0].kind == .http(host: "::1", port: 9000))
    }

    @Test func idOnlyRoutesNeverClashAsDuplicates() {
        let (routes, diagnostics) = parse("id=a test\nid=b test\n* test")
        #expect(routes.count == 3)
        #expect(diagnostics.isEmpty)
    }

    @Test func duplicateIDsLoadButAreReported() {
        let table = RouteTable.parse("*,id=x a:1\nexample.com,id=x b:1")
        #expect(table.table.routes.count == 2)
        #expect(table.diagnostics == [
            RouteDiagnostic(file: "routes", line: 2, message: "id 'x' is also used on line 1; Pushpin-Route cannot select it", lineSkipped: false),
        ])
        #expect(table.table.route(id: "x") == nil)
    }

    @Test func emptyIDMeansImplicitID() throws {
        let route = try single("*,id= test")
        #expect(route.id == nil)
        #expect(route.effectiveID == "*,*,*,*")
    }

    @Test func implicitIDFollowsPushpin() {
        let routes = parse("""
        * test
        example.com,proto=ws,ssl=yes,path_beg=/a test
        example.com,proto=http,ssl=no test
        """).routes
        // Pushpin writes the ssl part inverted; kept so stats and Pushpin-Route ids stay the same.
        #expect(routes.map(\.effectiveID) == ["*,*,*,*", "example.com,ws,no-ssl,/a", "example.com,http,ssl,*"])
    }

    @Test func unknownPropertiesWarnButLoad() throws {
        let (routes, diagnostics) = parse("*,path_end=/x,timeout=5 localhost:80,weight=3,ipc_file_mode=99")
        #expect(routes.count == 1)
        #expect(diagnostics.map(\.message) == [
            "unknown condition property 'path_end' ignored",
            "unknown condition property 'timeout' ignored",
            "unknown target property 'weight' ignored",
            "ipc_file_mode '99' is not an octal number; ignored",
        ])
        #expect(diagnostics.allSatisfy { !$0.lineSkipped && $0.line == 1 })
    }

    @Test func conditionHostWithPortIsReported() {
        let (routes, diagnostics) = parse("example.com:8080 test\n[::1] test\n::1 test")
        #expect(routes.map(\.condition.host) == ["example.com:8080", "::1"])
        #expect(diagnostics.map(\.line) == [1, 3])
        #expect(diagnostics[0].message.contains("includes a port"))
        #expect(diagnostics[1].message == "skipping duplicate condition")
    }

    @Test func partialWildcardIsLiteral() {
        let (routes, diagnostics) = parse("*.example.com test")
        #expect(routes.first?.condition.host == "*.example.com")
        #expect(diagnostics.map(\.message) == ["condition host '*.example.com' is matched literally; only a lone * is a wildcard"])
        #expect(RouteTable.parse("*.example.com test").table.match(host: "a.example.com", path: "/", isWebSocket: false, isTLS: false) == nil)
    }

    @Test func headerValues() throws {
        let route = try single(#"*,header=X-Empty:,header="X-Spaced:   v w ",header="X-Colon: a:b" test"#)
        #expect(route.headers == [
            RouteHeader(name: "X-Empty", value: ""),
            RouteHeader(name: "X-Spaced", value: "v w "),
            RouteHeader(name: "X-Colon", value: "a:b"),
        ])
    }

    @Test func lastValueWinsForSingleProps() throws {
        let route = try single("*,prefix=a,prefix=b test,host=x,host=y")
        #expect(route.prefix == "b")
        #expect(route.targets[0].hostHeader == "y")
    }

    @Test func replaceBegStripsPathBeg() throws {
        let route = try single("*,path_beg=/api/v1/,replace_beg=/,path_rem=2 test")
        #expect(route.pathRemove == 8)
        #expect(route.replaceBeg == "/")
        let bare = try single("*,replace_beg=/x test")
        #expect(bare.pathRemove == 0)
    }

    @Test func jsonpSettings() throws {
        let basic = try single("*,aco,jsonp_mode=basic,jsonp_cb=cb,jsonp_body=b,jsonp_defcb=f test")
        #expect(basic.jsonp.mode == .basic)
        #expect(basic.jsonp.defaultMethod == "POST")
        #expect(basic.jsonp.callbackParam == "cb")
        #expect(basic.jsonp.bodyParam == "b")
        #expect(basic.jsonp.defaultCallback == "f")
        let method = try single("*,jsonp_defmethod=PUT test")
        #expect(method.jsonp.mode == .extended)
        #expect(method.jsonp.defaultMethod == "PUT")
    }

    @Test func composedSpecExamplesLoad() {
        let text = """
        * test
        api.example.com,path_beg=/stream localhost:8000,over_http
        *,proto=ws,ssl=yes 10.0.0.5:8080,over_http 10.0.0.6:8080,over_http
        id=events,path_beg=/events/,prefix=ev_ [::1]:9000 # selected via Pushpin-Route: events
        """
        let (routes, diagnostics) = parse(text)
        #expect(diagnostics.isEmpty)
        #expect(routes.count == 4)
    }

    @Test func commandLineRoutes() {
        let result = RouteTable.parse(lines: ["example.com localhost:80", "bad"])
        #expect(result.table.routes.count == 1)
        #expect(result.diagnostics.map(\.description) == ["<route>:2: must specify condition and at least one target"])
    }

    @Test func loadReadsFileAndReportsPath() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("routes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("routes").path
        try "example.com localhost:80\nnope\n".write(toFile: path, atomically: true, encoding: .utf8)

        let result = try RouteTable.load(path: path)
        #expect(result.table.routes.count == 1)
        #expect(result.diagnostics.map(\.description) == ["\(path):2: must specify condition and at least one target"])
    }

    @Test func loadMissingFileThrows() {
        let path = "/nonexistent-\(UUID().uuidString)/routes"
        #expect(throws: ConfigError(file: path, reason: "No such file or directory")) {
            _ = try RouteTable.load(path: path)
        }
    }
}
