import Testing
@testable import Wire

@Suite("Publish formats")
struct PublishFormatTests {
    typealias T = PublishTestSupport

    func formatItem(_ formats: String) throws -> PublishItem {
        try T.item(#"{"channel":"c","formats":{"# + formats + "}}")
    }

    func formatError(_ formats: String) -> PublishError? {
        T.error(#"{"items":[{"channel":"c","formats":{"# + formats + "}}]}")
    }

    // MARK: http-response

    @Test func httpResponseDefaults() throws {
        let format = try #require(try formatItem(#""http-response":{"body":"done\n"}"#).httpResponse)
        #expect(format == PublishHTTPResponse(code: 200, reason: "OK", body: Array("done\n".utf8)))
    }

    @Test func httpResponseFull() throws {
        let format = try #require(try formatItem("""
            "http-response":{"action":"send","code":404,"reason":"Gone Fishing","headers":{"Content-Type":"text/plain","X-A":"1"},
                             "body":"nope","content-filters":["build-id"]}
            """).httpResponse)
        #expect(format == PublishHTTPResponse(
            code: 404, reason: "Gone Fishing", headers: HTTPHeaders([("Content-Type", "text/plain"), ("X-A", "1")]),
            body: Array("nope".utf8), contentFilters: ["build-id"]))
    }

    @Test func httpResponseHeaderPairs() throws {
        let format = try #require(try formatItem(#""http-response":{"headers":[["A","1"],["A","2"]],"body":""}"#).httpResponse)
        #expect(format.headers == HTTPHeaders([("A", "1"), ("A", "2")]))
        let empty = try #require(try formatItem(#""http-response":{"headers":[],"body":"x"}"#).httpResponse)
        #expect(empty.headers.isEmpty)
    }

    @Test(arguments: [
        ("\"204\"", 204, "No Content", ""), ("299", 299, "Undefined Reason", "x"),
        ("\" 203 \"", 203, "Non-Authoritative Information", "x"), ("200.5", 201, "Created", "x"),
        ("599.4", 599, "Undefined Reason", "x"), ("4294967496", 200, "OK", "x"), ("2e2", 200, "OK", "x"),
    ] as [(String, Int, String, String)])
    func httpResponseCodes(_ code: String, _ expected: Int, _ reason: String, _ body: String) throws {
        let format = try #require(try formatItem(#""http-response":{"code":"# + code + #","body":""# + body + #""}"#).httpResponse)
        #expect(format.code == expected)
        #expect(format.reason == reason)
    }

    @Test func emptyReasonMeansStandardPhrase() throws {
        let format = try #require(try formatItem(#""http-response":{"code":201,"reason":"","body":"x"}"#).httpResponse)
        #expect(format.reason == "Created")
    }

    @Test func bodyPrecedence() throws {
        let binary = try #require(try formatItem(#""http-response":{"body-bin":"aGk=","body":5,"body-patch":5}"#).httpResponse)
        #expect(binary.body == Array("hi".utf8))
        let text = try #require(try formatItem(#""http-response":{"body":"x","body-patch":5}"#).httpResponse)
        #expect(text.body == [0x78])
        #expect(text.bodyPatch == nil)
        let patch = try #require(try formatItem(#""http-response":{"body-patch":[{"op":"add","path":"/a","value":1}]}"#).httpResponse)
        #expect(patch.body.isEmpty)
        #expect(patch.bodyPatch?.count == 1)
        let emptyPatch = try #require(try formatItem(#""http-response":{"body-patch":[]}"#).httpResponse)
        #expect(emptyPatch.bodyPatch == [])
    }

    @Test(arguments: ["!!!", "abc", "YWJj!!", "aGk", "aGl=", "aG k="])
    func nonCanonicalBinIsRejected(_ text: String) {
        for (format, field) in [("http-response", "body-bin"), ("http-stream", "content-bin"), ("ws-message", "content-bin")] {
            #expect(formatError(#"""# + format + #"":{""# + field + #"":""# + text + #""}"#)
                == .invalidFormat("item 0: '\(format)' contains '\(field)' with invalid value: not canonical base64"))
        }
    }

    @Test(arguments: [("hint", PublishAction.hint), ("close", .close), ("refresh", .refresh)])
    func httpResponseNonSendActionsSkipValidation(_ action: String, _ expected: PublishAction) throws {
        // Pushpin 1.36 rejects "refresh" here; 1.38+ and pushpind parse it and do nothing.
        let format = try #require(try formatItem(
            #""http-response":{"action":""# + action + #"","code":[],"headers":5}"#).httpResponse)
        #expect(format.action == expected)
        #expect(format.body.isEmpty)
    }

    // MARK: http-stream

    @Test func httpStreamContent() throws {
        let text = try #require(try formatItem(#""http-stream":{"content":"hello\n","content-filters":[]}"#).httpStream)
        #expect(text == PublishHTTPStream(content: Array("hello\n".utf8), contentFilters: []))
        let binary = try #require(try formatItem(#""http-stream":{"content-bin":"AAEC/w==","content":5}"#).httpStream)
        #expect(binary.content == [0, 1, 2, 255])
    }

    @Test func httpStreamCloseAndHint() throws {
        #expect(try formatItem(#""http-stream":{"action":"close"}"#).httpStream == PublishHTTPStream(action: .close))
        #expect(try formatItem(#""http-stream":{"action":"close","content":1}"#).httpStream?.action == .close)
        #expect(try formatItem(#""http-stream":{"action":"hint"}"#).httpStream == PublishHTTPStream(action: .hint))
    }

    // MARK: ws-message

    @Test(arguments: [
        (#"{"content":"hi"}"#, PublishWSMessage(type: .text, content: Array("hi".utf8))),
        (#"{"content-bin":"aGk="}"#, PublishWSMessage(type: .binary, content: Array("hi".utf8))),
        (#"{"type":"text","content-bin":"aGk="}"#, PublishWSMessage(type: .text, content: Array("hi".utf8))),
        (#"{"type":"binary","content":"hi"}"#, PublishWSMessage(type: .binary, content: Array("hi".utf8))),
        (#"{"content-bin":"aGk=","content":5}"#, PublishWSMessage(type: .binary, content: Array("hi".utf8))),
        (#"{"type":"ping"}"#, PublishWSMessage(type: .ping)),
        (#"{"type":"pong","content":"p"}"#, PublishWSMessage(type: .pong, content: [0x70])),
        (#"{"content":"x","content-filters":["skip-self"]}"#, PublishWSMessage(content: [0x78], contentFilters: ["skip-self"])),
        (#"{"action":"close"}"#, PublishWSMessage(action: .close)),
        (#"{"action":"close","code":1000,"reason":"bye"}"#, PublishWSMessage(action: .close, code: 1000, reason: "bye")),
        (#"{"action":"close","code":70000,"reason":""}"#, PublishWSMessage(action: .close, code: 70000)),
        (#"{"action":"close","code":"x"}"#, PublishWSMessage(action: .close, code: 0)),
        (#"{"action":"close","code":false}"#, PublishWSMessage(action: .close, code: 0)),
        (#"{"action":"close","type":5,"content":5}"#, PublishWSMessage(action: .close)),
        (#"{"action":"hint","type":5}"#, PublishWSMessage(action: .hint)),
        (#"{"action":"refresh"}"#, PublishWSMessage(action: .refresh)),
    ] as [(String, PublishWSMessage)])
    func wsMessages(_ json: String, _ expected: PublishWSMessage) throws {
        #expect(try formatItem(#""ws-message":"# + json).wsMessage == expected)
    }

    // MARK: Rejections (exact Pushpin 1.36 texts after "Invalid format: ")

    @Test(arguments: [
        (#""http-response":"x""#, "'http-response' is not an object"),
        (#""http-stream":[]"#, "'http-stream' is not an object"),
        (#""ws-message":1"#, "'ws-message' is not an object"),
        (#""http-response":{}"#, "'http-response' does not contain 'body', 'body-bin', or 'body-patch'"),
        (#""http-stream":{}"#, "'http-stream' does not contain 'content' or 'content-bin'"),
        (#""ws-message":{}"#, "'ws-message' does not contain 'content' or 'content-bin'"),
        (#""ws-message":{"type":"binary"}"#, "'ws-message' does not contain 'content' or 'content-bin'"),
        (#""ws-message":{"type":"text"}"#, "'ws-message' does not contain 'content' or 'content-bin'"),
        (#""http-response":{"action":"bogus","body":"x"}"#, ""),
        (#""http-stream":{"action":"bogus","content":"x"}"#, ""),
        (#""ws-message":{"action":"bogus","content":"x"}"#, ""),
        (#""http-stream":{"action":"","content":"x"}"#, ""),
        (#""http-stream":{"action":"Send","content":"x"}"#, ""),
        (#""http-stream":{"action":"refresh"}"#, ""),
        (#""http-stream":{"action":1,"content":"x"}"#, "'http-stream' contains 'action' with wrong type"),
        (#""http-stream":{"action":null,"content":"x"}"#, "'http-stream' contains 'action' with wrong type"),
        (#""http-response":{"body":5,"action":5}"#, "'http-response' contains 'action' with wrong type"),
        (#""http-response":{"code":null,"body":"x"}"#, "'http-response' contains 'code' with wrong type"),
        (#""http-response":{"code":[],"body":"x"}"#, "'http-response' contains 'code' with wrong type"),
        (#""http-response":{"code":{},"body":"x"}"#, "'http-response' contains 'code' with wrong type"),
        (#""http-response":{"code":-1,"body":"x"}"#, "'http-response' contains 'code' with invalid value"),
        (#""http-response":{"code":1000,"body":"x"}"#, "'http-response' contains 'code' with invalid value"),
        (#""http-response":{"code":"1000","body":"x"}"#, "'http-response' contains 'code' with invalid value"),
        (#""http-response":{"code":"-3","body":"x"}"#, "'http-response' contains 'code' with invalid value"),
        (#""http-response":{"code":999.5,"body":"x"}"#, "'http-response' contains 'code' with invalid value"),
        (#""http-response":{"reason":1,"body":"x"}"#, "'http-response' contains 'reason' with wrong type"),
        (#""http-response":{"headers":"x","body":"x"}"#, "'http-response' contains 'headers' with wrong type"),
        (#""http-response":{"headers":1,"body":"x"}"#, "'http-response' contains 'headers' with wrong type"),
        (#""http-response":{"headers":null,"body":"x"}"#, "'http-response' contains 'headers' with wrong type"),
        (#""http-response":{"headers":{"A":1},"body":"x"}"#, "headers contains 'A' with wrong type"),
        (#""http-response":{"headers":{"Z":1,"A":2},"body":"x"}"#, "headers contains 'A' with wrong type"),
        (#""http-response":{"headers":{"b":1,"B":2},"body":"x"}"#, "headers contains 'B' with wrong type"),
        (#""http-response":{"headers":["x"],"body":"x"}"#, "headers contains element with wrong type"),
        (#""http-response":{"headers":[{}],"body":"x"}"#, "headers contains element with wrong type"),
        (#""http-response":{"headers":[["A"]],"body":"x"}"#, "headers contains list with wrong number of elements"),
        (#""http-response":{"headers":[["A","b","c"]],"body":"x"}"#, "headers contains list with wrong number of elements"),
        (#""http-response":{"headers":[[1,"b"]],"body":"x"}"#, "header contains name element with wrong type"),
        (#""http-response":{"headers":[["A",1]],"body":"x"}"#, "header contains value element with wrong type"),
        (#""http-response":{"body":1}"#, "'http-response' contains 'body' with wrong type"),
        (#""http-response":{"body":null}"#, "'http-response' contains 'body' with wrong type"),
        (#""http-response":{"body-bin":1}"#, "'http-response' contains 'body-bin' with wrong type"),
        (#""http-response":{"body-bin":null}"#, "'http-response' contains 'body-bin' with wrong type"),
        (#""http-response":{"body-patch":{}}"#, "'http-response' contains 'body-patch' with wrong type"),
        (#""http-response":{"content-filters":"x","body":"x"}"#, "'http-response' contains 'content-filters' with wrong type"),
        (#""http-response":{"content-filters":null,"body":"x"}"#, "'http-response' contains 'content-filters' with wrong type"),
        (#""http-response":{"content-filters":[1],"body":"x"}"#, "content-filters contains element with wrong type"),
        (#""http-stream":{"content":1}"#, "'http-stream' contains 'content' with wrong type"),
        (#""http-stream":{"content":null}"#, "'http-stream' contains 'content' with wrong type"),
        (#""http-stream":{"content-bin":1}"#, "'http-stream' contains 'content-bin' with wrong type"),
        (#""http-stream":{"content-filters":[null],"content":"x"}"#, "content-filters contains element with wrong type"),
        (#""ws-message":{"type":1,"content":"x"}"#, "'ws-message' contains 'type' with wrong type"),
        (#""ws-message":{"type":null,"content":"x"}"#, "'ws-message' contains 'type' with wrong type"),
        (#""ws-message":{"type":"foo","content":"x"}"#, "'ws-message' contains 'type' with unknown value"),
        (#""ws-message":{"type":"Text","content":"x"}"#, "'ws-message' contains 'type' with unknown value"),
        (#""ws-message":{"content":1}"#, "'ws-message' contains 'content' with wrong type"),
        (#""ws-message":{"type":"pong","content":5}"#, "'ws-message' contains 'content' with wrong type"),
        (#""ws-message":{"content-bin":1}"#, "'ws-message' contains 'content-bin' with wrong type"),
        (#""ws-message":{"content-filters":"x","content":"x"}"#, "'ws-message' contains 'content-filters' with wrong type"),
        (#""ws-message":{"action":"close","code":[]}"#, "'ws-message' contains 'code' with wrong type"),
        (#""ws-message":{"action":"close","code":null}"#, "'ws-message' contains 'code' with wrong type"),
        (#""ws-message":{"action":"close","code":{}}"#, "'ws-message' contains 'code' with wrong type"),
        (#""ws-message":{"action":"close","code":-5}"#, "'ws-message' contains 'code' with invalid value"),
        (#""ws-message":{"action":"close","code":"-1"}"#, "'ws-message' contains 'code' with invalid value"),
        (#""ws-message":{"action":"close","reason":1}"#, "'ws-message' contains 'reason' with wrong type"),
        // Order inside a format.
        (#""http-response":{"content-filters":5,"body":5}"#, "'http-response' contains 'content-filters' with wrong type"),
        (#""http-response":{"content-filters":5,"headers":5,"body":"x"}"#, "'http-response' contains 'headers' with wrong type"),
        (#""http-response":{"reason":5,"headers":5,"body":"x"}"#, "'http-response' contains 'reason' with wrong type"),
        (#""http-response":{"reason":5,"code":[],"body":"x"}"#, "'http-response' contains 'code' with wrong type"),
        (#""ws-message":{"content-filters":5,"type":"x","content":"x"}"#, "'ws-message' contains 'type' with unknown value"),
        (#""ws-message":{"content-filters":5,"content":5}"#, "'ws-message' contains 'content-filters' with wrong type"),
    ])
    func rejectedFormats(_ formats: String, _ message: String) {
        #expect(formatError(formats) == .invalidFormat(message))
    }

    @Test func unknownActionIsTheBarePrefix() {
        let error = T.error(#"{"items":[{"channel":"c","formats":{"http-stream":{"action":"bogus"}}}]}"#)
        #expect(error == PublishError(status: 400, message: "Invalid format: "))
    }
}
