import Testing
@testable import Wire

@Suite("GRIP JSON instruct form")
struct GripJSONFormTests {
    typealias T = GripTestSupport
    static let instruct = ("Content-Type", "application/grip-instruct")

    func instruction(_ json: String, _ extra: [(String, String)] = [], status: Int = 200) throws -> GripInstruction {
        try T.instruction([Self.instruct] + extra, status: status, body: json)
    }

    func error(_ json: String, _ extra: [(String, String)] = [], status: Int = 200) -> String? {
        T.error([Self.instruct] + extra, status: status, body: json)
    }

    @Test func fullInstruct() throws {
        let json = """
            {"hold": {"mode": "stream",
                      "channels": [{"name": "c1", "prev-id": "7", "filters": ["skip-self", "build-id"]}, {"name": "c2"}],
                      "timeout": 30, "keep-alive": {"content": "\\n", "timeout": 20}, "meta": {"user": "alice"}},
             "response": {"code": 201, "reason": "Made", "headers": {"Content-Type": "text/plain", "X-A": "1"},
                          "body": "hello\\n"}}
            """
        let instruction = try instruction(json, [("X-Backend", "dropped")])
        #expect(instruction.hold == .stream)
        #expect(instruction.channels == [
            GripChannel(name: "c1", prevID: "7", filters: ["skip-self", "build-id"]), GripChannel(name: "c2"),
        ])
        #expect(instruction.timeoutSeconds == 30)
        #expect(instruction.keepAlive == GripKeepAlive(content: [0x0A], timeoutSeconds: 20, mode: .interval))
        #expect(instruction.meta == [GripMetaEntry("user", "alice")])
        #expect(instruction.response == GripResponse(
            status: 201, reason: "Made", headers: HTTPHeaders([("Content-Type", "text/plain"), ("X-A", "1")]),
            body: Array("hello\n".utf8)))
    }

    @Test func holdDefaultsToResponseMode() throws {
        let instruction = try instruction(#"{"hold": {"channels": [{"name": "c"}]}}"#)
        #expect(instruction.hold == .response)
        #expect(instruction.timeoutSeconds == 55)
        #expect(instruction.response == GripResponse(status: 200, reason: "OK"))
    }

    @Test func jsonHoldOverridesHeaderHoldAndAddsChannels() throws {
        let instruction = try instruction(
            #"{"hold": {"channels": [{"name": "json"}], "timeout": 1}}"#,
            [("Grip-Hold", "stream"), ("Grip-Channel", "header"), ("Grip-Timeout", "60")])
        #expect(instruction.hold == .response)
        #expect(instruction.channels.map(\.name) == ["header", "json"])
        #expect(instruction.timeoutSeconds == 5)
    }

    @Test func headersApplyWithoutJSONHold() throws {
        let instruction = try instruction(
            #"{"response": {"body": "x"}}"#,
            [("Grip-Hold", "stream"), ("Grip-Channel", "c"), ("Grip-Status", "202 Yo"), ("X-A", "1")])
        #expect(instruction.hold == .stream)
        #expect(instruction.channels == [GripChannel(name: "c")])
        #expect((instruction.response.status, instruction.response.reason) == (202, "Yo"))
        #expect(instruction.response.headers.isEmpty)
    }

    @Test func codeDropsTheHeaderReason() throws {
        let response = try instruction(#"{"response": {"code": 204}}"#, [("Grip-Status", "202 Yo")]).response
        #expect((response.status, response.reason) == (204, "No Content"))
    }

    @Test func responseOnlyAndEmpty() throws {
        let made = try instruction(#"{"response": {"code": 201, "headers": {"X-B": "2"}, "body": "made\n"}}"#).response
        #expect(made == GripResponse(status: 201, reason: "Created", headers: HTTPHeaders([("X-B", "2")]), body: Array("made\n".utf8)))
        // Pushpin 1.36 fails "{}" and {"response": {}} with "filter error:"; grip.md's rule is kept instead.
        #expect(try instruction("{}").response == GripResponse(status: 200, reason: "OK"))
        #expect(try instruction(#"{"response": {}}"#, [("X-A", "1")]).response == GripResponse(status: 200, reason: "OK"))
    }

    @Test func responseHeadersAsPairsKeepOrderAndRepeats() throws {
        let response = try instruction(
            #"{"response": {"headers": [["X-B", "2"], ["A", "1"], ["A", "2"], ["Content-Length", "9"], ["Connection", "close"]]}}"#
        ).response
        #expect(response.headers == HTTPHeaders([("X-B", "2"), ("A", "1"), ("A", "2")]))
    }

    @Test func explicitGripFieldsInResponseHeadersAreKept() throws {
        // The backend's own Grip-* fields never reach the client, but ones a JSON instruct
        // names in `response.headers` do (Pushpin 1.36 relays them as given).
        let response = try instruction(#"{"response": {"headers": {"Grip-Foo": "x", "X-A": "1"}}}"#, [("Grip-Bar", "y")]).response
        #expect(response.headers == HTTPHeaders([("Grip-Foo", "x"), ("X-A", "1")]))
    }

    @Test func bodyBinWins() throws {
        let response = try instruction(#"{"response": {"body-bin": "aGkK", "body": 5}}"#).response
        #expect(response.body == Array("hi\n".utf8))
    }

    @Test(arguments: [
        (#"{"response": {"code": "404"}}"#, 404), (#"{"response": {"code": 404.5}}"#, 405),
        (#"{"response": {"code": 4294967496}}"#, 200), (#"{"response": {"code": "599"}}"#, 599),
    ] as [(String, Int)])
    func codeCoercion(_ json: String, _ code: Int) throws {
        #expect(try instruction(json).response.status == code)
    }

    @Test func keepAliveVariants() throws {
        let binary = try instruction(#"{"hold": {"mode": "stream", "channels": [], "keep-alive": {"content-bin": "aGk=", "content": 5}}}"#)
        #expect(binary.keepAlive == GripKeepAlive(content: Array("hi".utf8), timeoutSeconds: 55, mode: .interval))
        // JSON replaces header bytes and (when present) resets the timeout to its own or 55; header mode stays.
        let merged = try instruction(
            #"{"hold": {"mode": "stream", "channels": [], "keep-alive": {"timeout": 0}}}"#,
            [("Grip-Keep-Alive", "hdr; timeout=9; mode=idle")])
        #expect(merged.keepAlive == GripKeepAlive(content: Array("hdr".utf8), timeoutSeconds: 1, mode: .idle))
        let empty = try instruction(#"{"hold": {"mode": "stream", "channels": [], "keep-alive": {"timeout": 1}}}"#)
        #expect(empty.keepAlive == nil)
    }

    @Test func metaMergesWithHeaderMeta() throws {
        let instruction = try instruction(
            #"{"hold": {"channels": [], "meta": {"b": "json", "c": "3", "b": "last"}}}"#,
            [("Grip-Set-Meta", "a=1, b=2")])
        #expect(instruction.meta == [GripMetaEntry("a", "1"), GripMetaEntry("b", "last"), GripMetaEntry("c", "3")])
    }

    @Test(arguments: [
        ("{", "failed to parse application/grip-instruct content as JSON"),
        ("", "failed to parse application/grip-instruct content as JSON"),
        ("5", "failed to parse application/grip-instruct content as JSON"),
        ("\"x\"", "failed to parse application/grip-instruct content as JSON"),
        ("[]", "instruct must be an object"),
        (#"{"hold": 5}"#, "instruct contains 'hold' with wrong type"),
        (#"{"hold": {}}"#, "hold does not contain 'channels'"),
        (#"{"hold": {"channels": {}}}"#, "hold contains 'channels' with wrong type"),
        (#"{"hold": {"mode": 5, "channels": []}}"#, "hold contains 'mode' with wrong type"),
        (#"{"hold": {"mode": "x", "channels": []}}"#, "hold 'mode' must be set to either 'response' or 'stream'"),
        (#"{"hold": {"mode": "Stream", "channels": []}}"#, "hold 'mode' must be set to either 'response' or 'stream'"),
        (#"{"hold": {"channels": [5]}}"#, "channel is not an object"),
        (#"{"hold": {"channels": [{}]}}"#, "channel does not contain 'name'"),
        (#"{"hold": {"channels": [{"name": 5}]}}"#, "channel contains 'name' with wrong type"),
        (#"{"hold": {"channels": [{"name": "c", "prev-id": 5}]}}"#, "channel contains 'prev-id' with wrong type"),
        (#"{"hold": {"channels": [{"name": "c", "filters": {}}]}}"#, "channel contains 'filters' with wrong type"),
        (#"{"hold": {"channels": [{"name": "c", "filters": [5]}]}}"#, "filters contains value with wrong type"),
        (#"{"hold": {"channels": [], "timeout": []}}"#, "hold contains 'timeout' with wrong type"),
        (#"{"hold": {"channels": [], "timeout": null}}"#, "hold contains 'timeout' with wrong type"),
        (#"{"hold": {"channels": [], "timeout": -1}}"#, "hold contains 'timeout' with invalid value"),
        (#"{"hold": {"channels": [], "keep-alive": 5}}"#, "hold contains 'keep-alive' with wrong type"),
        (#"{"hold": {"channels": [], "keep-alive": {"content": 5}}}"#, "keep-alive contains 'content' with wrong type"),
        (#"{"hold": {"channels": [], "keep-alive": {"content-bin": 5}}}"#, "keep-alive contains 'content-bin' with wrong type"),
        (#"{"hold": {"channels": [], "keep-alive": {"timeout": {}}}}"#, "keep-alive contains 'timeout' with wrong type"),
        (#"{"hold": {"channels": [], "keep-alive": {"timeout": -1}}}"#, "keep-alive contains 'timeout' with invalid value"),
        (#"{"hold": {"channels": [], "meta": 5}}"#, "hold contains 'meta' with wrong type"),
        (#"{"hold": {"channels": [], "meta": {"z": 1, "b": 2}}}"#, "'meta' contains 'b' with wrong type"),
        (#"{"response": 5}"#, "instruct contains 'response' with wrong type"),
        (#"{"response": {"code": null}}"#, "response contains 'code' with wrong type"),
        (#"{"response": {"code": -1}}"#, "response contains 'code' with invalid value"),
        (#"{"response": {"code": 1000}}"#, "response contains 'code' with invalid value"),
        (#"{"response": {"reason": 5}}"#, "response contains 'reason' with wrong type"),
        (#"{"response": {"headers": 5}}"#, "response contains 'headers' with wrong type"),
        (#"{"response": {"headers": {"Z": 1, "A": 2}}}"#, "headers contains 'A' with wrong type"),
        (#"{"response": {"headers": [5]}}"#, "headers contains element with wrong type"),
        (#"{"response": {"headers": [["a"]]}}"#, "headers contains list with wrong number of elements"),
        (#"{"response": {"headers": [[1, "a"]]}}"#, "header contains name element with wrong type"),
        (#"{"response": {"headers": [["a", 1]]}}"#, "header contains value element with wrong type"),
        (#"{"response": {"body": 5}}"#, "response contains 'body' with wrong type"),
        (#"{"response": {"body-bin": 5}}"#, "response contains 'body-bin' with wrong type"),
        (#"{"response": {"body-bin": null}}"#, "response contains 'body-bin' with wrong type"),
        // What pushpind checks beyond Pushpin: the response must be writable as given.
        (#"{"response": {"body-bin": "a!GkK"}}"#, "response contains 'body-bin' with invalid value: not canonical base64"),
        (#"{"hold": {"channels": [], "keep-alive": {"content-bin": "aGk"}}}"#,
         "keep-alive contains 'content-bin' with invalid value: not canonical base64"),
        (#"{"response": {"code": true}}"#, "response contains 'code' with invalid value: status 1 is not 200–599"),
        (#"{"response": {"reason": "OK\r\nX-Injected: 1"}}"#,
         "response contains 'reason' with invalid value: control character (CR, LF, NUL …) in the reason"),
        (#"{"response": {"headers": {"X-A": "1\nX-B: 2"}}}"#,
         #"response contains 'headers' with invalid value: field "X-A" has a control character (CR, LF, NUL …) in its value"#),
        (#"{"response": {"headers": [["X A", "1"]]}}"#, #"response contains 'headers' with invalid value: field name "X A" is not a token"#),
        (#"{"response": {"code": 304, "body": "x"}}"#, "response contains 'body' with invalid value: status 304 has no body"),
    ])
    func rejected(_ json: String, _ message: String) {
        #expect(error(json) == message)
    }

    @Test func statusMustBe200() {
        #expect(error(#"{"hold": {"channels": [{"name": "c"}]}}"#, status: 201)
            == "response code for application/grip-instruct content must be 200")
    }

    @Test func headerErrorsComeFirst() {
        #expect(error("{", [("Grip-Hold", "x")]) == "Grip-Hold must be set to either 'response' or 'stream'")
        #expect(error("{", [("Grip-Timeout", "-1")], status: 500) == "Grip-Timeout has invalid value")
    }

    @Test func byteOrderMarkIsAccepted() throws {
        let body = [0xEF, 0xBB, 0xBF] + Array(#"{"response": {"body": "x"}}"#.utf8)
        let result = GripInstructionParser.parse(head: T.head([Self.instruct]), body: body)
        #expect(try result.get().response.body == Array("x".utf8))
    }

    @Test func exposeHeadersDoNotApplyToJSONHeaders() throws {
        let response = try instruction(
            #"{"response": {"headers": {"X-J": "1"}}}"#, [("Grip-Expose-Headers", "X-A"), ("X-A", "1")]
        ).response
        #expect(response.headers == HTTPHeaders([("X-J", "1")]))
    }
}
