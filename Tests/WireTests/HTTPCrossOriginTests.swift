import Testing

@testable import Wire

@Suite struct CrossOriginTests {
    @Test func aPlainRequestGetsPushpinsDefaults() {
        let cors = CrossOrigin(request: HTTPHeaders([("Host", "h")]))
        let added = cors.missingFields(in: HTTPHeaders([("Content-Type", "text/plain"), ("Content-Length", "3")]))
        #expect(lines(added) == [
            "Access-Control-Allow-Methods: OPTIONS, HEAD, GET, POST, PUT, DELETE",
            "Access-Control-Allow-Credentials: true",
            "Access-Control-Allow-Origin: *",
            "Access-Control-Max-Age: 3600",
        ])
    }

    @Test func aPreflightIsAnsweredWithWhatItAskedFor() {
        let cors = CrossOrigin(request: HTTPHeaders([
            ("Origin", "https://app.example"), ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "X-A, X-B"), ("Access-Control-Request-Headers", "X-C"),
        ]))
        let added = cors.missingFields(in: HTTPHeaders())
        #expect(lines(added) == [
            "Access-Control-Allow-Methods: PUT",
            "Access-Control-Allow-Headers: X-A, X-B, X-C",
            "Access-Control-Allow-Credentials: true",
            "Access-Control-Allow-Origin: https://app.example",
            "Access-Control-Max-Age: 3600",
        ])
    }

    @Test func exposesNonSafelistedNamesOnceAndNeverGripOrCORSOnes() {
        let cors = CrossOrigin(request: HTTPHeaders())
        let response = HTTPHeaders([
            ("Content-Type", "a"), ("X-One", "1"), ("cache-control", "no-cache"), ("Grip-Hold", "response"),
            ("Access-Control-Foo", "x"), ("x-one", "2"), ("ETag", "e"),
        ])
        #expect(cors.missingFields(in: response)["Access-Control-Expose-Headers"] == "X-One, ETag")
    }

    @Test func fieldsTheBackendSetAreLeftAlone() {
        let cors = CrossOrigin(request: HTTPHeaders([("Origin", "https://a.example")]))
        let response = HTTPHeaders([
            ("access-control-allow-origin", "https://b.example"), ("Access-Control-Allow-Methods", "GET"),
            ("Access-Control-Max-Age", "10"), ("Access-Control-Allow-Credentials", "false"), ("Access-Control-Expose-Headers", "X"),
        ])
        #expect(lines(cors.missingFields(in: response)) == [])
        #expect(cors.applied(to: response) == response)
    }
}

@Suite struct JSONPTests {
    func decode(_ target: String, method: String = "GET", _ configure: (inout JSONPConfig) -> Void = { _ in }) -> Result<JSONPRequest?, JSONPRequest.Failure> {
        var config = JSONPConfig()
        configure(&config)
        return JSONPRequest.decode(
            method: method, target: target, headers: HTTPHeaders([("Host", "h.example"), ("Accept", "text/html"), ("X-Kept", "1")]),
            config: config)
    }

    @Test func onlyAGetWithTheCallbackParameterIsJSONP() {
        #expect(decode("/x?a=1") == .success(nil))
        #expect(decode("/x") == .success(nil))
        #expect(decode("/x?callback=f", method: "POST") == .success(nil))
        #expect(decode("/x?cb=f") == .success(nil))
        #expect((try? decode("/x?cb=f") { $0.callbackParam = "cb" }.get())??.callback == "f")
    }

    @Test func theStandInRequestTakesMethodHeadersAndBodyFromTheQuery() throws {
        let request = try #require(try decode(
            "/x?a=1&callback=my.cb&_method=POST&_headers=%7B%22X-Api%22%3A%22k%22%2C%22Host%22%3A%22evil%22%7D&_body=%7B%22n%22%3A1%7D&b=2"
        ).get())
        #expect(request.callback == "my.cb")
        #expect(request.method == "POST")
        #expect(request.target == "/x?a=1&b=2")
        #expect(lines(request.headers) == ["X-Api: k", "Host: h.example", "Accept: */*", "X-Kept: 1"])
        #expect(request.body == Array(#"{"n":1}"#.utf8))
        #expect(request.extended)
    }

    @Test func noQueryLeftMeansNoQuestionMark() throws {
        #expect(try decode("/x?callback=f").get()?.target == "/x")
    }

    @Test func theBodyParameterAndDefaultCallbackOfBasicMode() throws {
        let configure: (inout JSONPConfig) -> Void = {
            $0.mode = .basic
            $0.defaultMethod = "POST"
            $0.bodyParam = "data"
            $0.defaultCallback = "handle"
        }
        let request = try #require(try decode("/x?data=%5B1%5D&_body=ignored", configure).get())
        #expect(request.callback == "handle" && request.method == "POST" && !request.extended)
        #expect(request.body == Array("[1]".utf8))
        #expect(request.target == "/x?_body=ignored")
        #expect(request.headers["Content-Type"] == "application/json")
    }

    @Test(arguments: [
        ("/x?callback=", JSONPRequest.Failure.callback),
        ("/x?callback=%zz", .callback),
        ("/x?callback=alert(1)", .callback),
        ("/x?callback=a%3Bb", .callback),
        ("/x?callback=f&_method=", .method),
        ("/x?callback=f&_method=GE%20T", .method),
        ("/x?callback=f&_headers=%5B%5D", .headers),
        ("/x?callback=f&_headers=%7B%22X%22%3A1%7D", .headers),
        ("/x?callback=f&_headers=%7B%22X%22%3A%22a%0D%0AInjected%3A%201%22%7D", .headers),
        ("/x?callback=f&_body=%4", .body),
    ])
    func badParametersAreRefused(target: String, failure: JSONPRequest.Failure) {
        #expect(decode(target) == .failure(failure))
    }

    @Test func basicWrapDropsOneTrailingNewline() {
        let wrapped = JSONPResponse(callback: "f", extended: false).wrap(
            status: 404, reason: "Not Found", headers: HTTPHeaders([("Cache-Control", "max-age=5"), ("X", "y")]),
            body: Array("{\"a\":1}\r\n".utf8), held: false)
        #expect(String(decoding: wrapped.body, as: UTF8.self) == "/**/f({\"a\":1});\n")
        #expect(lines(wrapped.headers) == ["Content-Type: application/javascript", "Cache-Control: max-age=5"])
    }

    @Test func extendedWrapCarriesStatusReasonSortedHeadersAndTheBodyAsAString() {
        let wrapped = JSONPResponse(callback: "f", extended: true).wrap(
            status: 201, reason: "Created", headers: HTTPHeaders([("X-B", "2"), ("Content-Type", "text/plain"), ("X-B", "3")]),
            body: Array("line \"1\"\n".utf8), held: false)
        #expect(String(decoding: wrapped.body, as: UTF8.self)
            == #"/**/f({"code": 201, "reason": "Created", "headers": {"Content-Type":"text/plain","X-B":"2"}, "body": "line \"1\"\u000a"});"# + "\n")
    }

    /// GRIP responses (held, published) keep their fields and write the object compact, keys sorted.
    @Test func heldStyleKeepsTheFieldsAndSortsTheObject() {
        let headers = HTTPHeaders([("X-Held", "yes"), ("Content-Type", "text/plain")])
        let extended = JSONPResponse(callback: "cb", extended: true).wrap(
            status: 201, reason: "Created", headers: headers, body: Array("published\n".utf8), held: true)
        #expect(String(decoding: extended.body, as: UTF8.self)
            == #"/**/cb({"body":"published\u000a","code":201,"headers":{"Content-Type":"text/plain","X-Held":"yes"},"reason":"Created"});"# + "\n")
        #expect(lines(extended.headers) == ["X-Held: yes", "Content-Type: application/javascript"])
        let basic = JSONPResponse(callback: "cb", extended: false).wrap(
            status: 201, reason: "Created", headers: headers, body: Array("published\n".utf8), held: true)
        #expect(String(decoding: basic.body, as: UTF8.self) == "/**/cb(published);\n")
    }
}
