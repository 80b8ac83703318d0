import Testing
@testable import Wire

/// Builders shared by the GRIP suites.
enum GripTestSupport {
    static func head(_ fields: [(String, String)], status: Int = 200, reason: String = "OK") -> HTTPResponseHead {
        HTTPResponseHead(version: .http11, status: status, reason: reason, headers: HTTPHeaders(fields))
    }

    static func parse(
        _ fields: [(String, String)], status: Int = 200, reason: String = "OK", body: String = "",
        subscriptionMax: Int = 20
    ) -> Result<GripInstruction, GripError> {
        GripInstructionParser.parse(
            head: head(fields, status: status, reason: reason), body: Array(body.utf8), subscriptionMax: subscriptionMax)
    }

    static func instruction(
        _ fields: [(String, String)], status: Int = 200, reason: String = "OK", body: String = "",
        subscriptionMax: Int = 20
    ) throws -> GripInstruction {
        try parse(fields, status: status, reason: reason, body: body, subscriptionMax: subscriptionMax).get()
    }

    static func error(_ fields: [(String, String)], status: Int = 200, body: String = "") -> String? {
        if case .failure(let error) = parse(fields, status: status, body: body) { return error.message }
        return nil
    }
}

@Suite("GRIP detection")
struct GripDetectionTests {
    typealias T = GripTestSupport

    @Test(arguments: [
        ([("Grip-Hold", "stream")], true),
        ([("grip-channel", "a")], true),
        ([("GRIP-FOO", "x")], true),
        ([("Content-Type", "application/grip-instruct")], true),
        ([("Content-Type", "application/grip-instruct; charset=utf-8")], true),
        ([("Content-Type", "  application/grip-instruct ;x")], true),
        ([("Content-Type", "Application/Grip-Instruct")], false),
        ([("Content-Type", "text/plain"), ("Content-Type", "application/grip-instruct")], false),
        ([("Content-Type", "text/plain"), ("X-Grip-Hold", "stream")], false),
        ([("Grip", "x"), ("Gri-p", "y")], false),
        ([], false),
    ] as [([(String, String)], Bool)])
    func isGrip(_ fields: [(String, String)], _ expected: Bool) {
        #expect(GripInstructionParser.isGrip(T.head(fields)) == expected)
    }

    @Test func onlyTheInstructBodyNeedsReading() {
        #expect(GripInstructionParser.needsBody(T.head([("Content-Type", "application/grip-instruct")])))
        #expect(!GripInstructionParser.needsBody(T.head([("Grip-Hold", "stream"), ("Content-Type", "text/plain")])))
    }
}

@Suite("GRIP header form")
struct GripHeaderFormTests {
    typealias T = GripTestSupport

    @Test func streamHoldWithDefaults() throws {
        let instruction = try T.instruction(
            [("Grip-Hold", "stream"), ("Grip-Channel", "news"), ("Content-Type", "text/plain")], body: "init\n")
        #expect(instruction.hold == .stream)
        #expect(instruction.channels == [GripChannel(name: "news")])
        #expect(instruction.timeoutSeconds == 55)
        #expect(instruction.keepAlive == nil)
        #expect(instruction.meta.isEmpty)
        #expect(instruction.nextLink == nil)
        #expect(instruction.response == GripResponse(
            status: 200, reason: "OK", headers: HTTPHeaders([("Content-Type", "text/plain")]), body: Array("init\n".utf8)))
    }

    @Test func responseHold() throws {
        let instruction = try T.instruction([("Grip-Hold", "response"), ("Grip-Channel", "c")], body: "timeout\n")
        #expect(instruction.hold == .response)
        #expect(instruction.response.body == Array("timeout\n".utf8))
    }

    @Test func noHoldStillStripsGrip() throws {
        let instruction = try T.instruction([("Grip-Channel", "a"), ("X-A", "1"), ("Grip-Foo", "f")], body: "plain\n")
        #expect(instruction.hold == nil)
        #expect(instruction.channels == [GripChannel(name: "a")])
        #expect(instruction.response.headers == HTTPHeaders([("X-A", "1")]))
    }

    @Test(arguments: ["bogus", "Stream", "RESPONSE", ""])
    func badHoldMode(_ value: String) {
        #expect(T.error([("Grip-Hold", value)]) == "Grip-Hold must be set to either 'response' or 'stream'")
    }

    @Test func firstHoldFieldCounts() throws {
        #expect(try T.instruction([("Grip-Hold", "stream"), ("Grip-Hold", "bogus")]).hold == .stream)
    }

    // MARK: Channels

    @Test func channelsFromListsAndRepeats() throws {
        let instruction = try T.instruction([
            ("Grip-Hold", "stream"),
            ("Grip-Channel", "a; prev-id=1, b;filter=skip-self; filter=build-id"),
            ("Grip-Channel", "c; Prev-Id=\"x;y\"; FILTER=ignored; filter"),
        ])
        #expect(instruction.channels == [
            GripChannel(name: "a", prevID: "1"),
            GripChannel(name: "b", filters: ["skip-self", "build-id"]),
            GripChannel(name: "c", prevID: "x;y", filters: [""]),
        ])
    }

    @Test func channelNamesAreRaw() throws {
        let instruction = try T.instruction([("Grip-Channel", "pn=1, \"pz\", pq; filter=\"x,y\", pr")])
        #expect(instruction.channels.map(\.name) == ["pn=1", "\"pz\"", "pq", "pr"])
        #expect(instruction.channels[2].filters == ["x,y"])
    }

    @Test func emptyChannelElementsSubscribeTheEmptyChannel() throws {
        // Pushpin 1.36 subscribes "pa", "" and "pb" here (a publish to "" is delivered).
        let instruction = try T.instruction([("Grip-Channel", "pa,,pb"), ("Grip-Channel", "; prev-id=1")])
        #expect(instruction.channels == [
            GripChannel(name: "pa"), GripChannel(name: ""), GripChannel(name: "pb"), GripChannel(name: "", prevID: "1"),
        ])
        #expect(try T.instruction([("Grip-Channel", "a,")]).channels == [GripChannel(name: "a")])
    }

    @Test func plainChannelFieldsReadLikeListsInOrder() throws {
        // A field that is only a name skips the list parser; it must agree with it.
        let instruction = try T.instruction([
            ("Grip-Channel", "x"), ("Grip-Channel", " y\t"), ("Grip-Channel", ""), ("Grip-Channel", "z, w"), ("Grip-Channel", "v"),
        ])
        #expect(instruction.channels.map(\.name) == ["x", "y", "z", "w", "v"])
    }

    @Test func channelWithUnterminatedQuoteIsSkipped() throws {
        let instruction = try T.instruction([("Grip-Channel", "good, bad; prev-id=\"x")])
        #expect(instruction.channels == [GripChannel(name: "good")])
    }

    @Test func channelsBeyondTheMaximumAreDropped() throws {
        let names = (1...22).map { "c\($0)" }
        let instruction = try T.instruction([("Grip-Channel", names.joined(separator: ","))])
        #expect(instruction.channels.map(\.name) == Array(names.prefix(20)))
        let three = try T.instruction([("Grip-Channel", "a,b,c,d")], subscriptionMax: 3)
        #expect(three.channels.map(\.name) == ["a", "b", "c"])
    }

    // MARK: Timeout

    @Test(arguments: [("60", 60), ("0", 5), ("4", 5), ("5", 5), ("+6", 6), (" 7", 7)] as [(String, Int)])
    func timeouts(_ value: String, _ seconds: Int) throws {
        #expect(try T.instruction([("Grip-Hold", "response"), ("Grip-Timeout", value)]).timeoutSeconds == seconds)
    }

    @Test(arguments: [
        ("abc", "failed to parse Grip-Timeout"), ("6.5", "failed to parse Grip-Timeout"),
        ("", "failed to parse Grip-Timeout"), ("99999999999", "failed to parse Grip-Timeout"),
        ("-1", "Grip-Timeout has invalid value"),
    ])
    func badTimeouts(_ value: String, _ message: String) {
        #expect(T.error([("Grip-Hold", "response"), ("Grip-Timeout", value)]) == message)
    }

    @Test func firstTimeoutFieldCounts() {
        #expect(T.error([("Grip-Timeout", "abc"), ("Grip-Timeout", "6")]) == "failed to parse Grip-Timeout")
    }

    // MARK: Keep-alive

    @Test func keepAliveRawDefaults() throws {
        let keepAlive = try #require(try T.instruction([("Grip-Hold", "stream"), ("Grip-Keep-Alive", "ping")]).keepAlive)
        #expect(keepAlive == GripKeepAlive(content: Array("ping".utf8), timeoutSeconds: 55, mode: .idle))
    }

    @Test(arguments: [
        ("x; timeout=20; mode=interval", "x", 20, GripKeepAliveMode.interval),
        ("x; mode=idle; timeout=0", "x", 1, .idle),
        ("A,B; timeout=1", "A,B", 1, .idle),
        ("Q; timeout=\"3\"; FORMAT=raw", "Q", 3, .idle),
        ("E; format=; mode=", "E", 55, .idle),
        ("a\\\\b\\x41\\q\\n; format=cstring", "a\\bA\n", 55, .idle),
        ("\\r\\n; format=cstring", "\r\n", 55, .idle),
        ("aGk=; format=base64", "hi", 55, .idle),
        ("{\"a\":1,\"b\":2}", "{\"a\":1,\"b\":2}", 55, .idle),
    ] as [(String, String, Int, GripKeepAliveMode)])
    func keepAlives(_ value: String, _ content: String, _ seconds: Int, _ mode: GripKeepAliveMode) throws {
        let keepAlive = try #require(try T.instruction([("Grip-Keep-Alive", value)]).keepAlive)
        #expect(keepAlive == GripKeepAlive(content: Array(content.utf8), timeoutSeconds: seconds, mode: mode))
    }

    @Test func firstKeepAliveFieldCounts() throws {
        let instruction = try T.instruction([("Grip-Keep-Alive", "A"), ("Grip-Keep-Alive", "B")])
        #expect(instruction.keepAlive?.content == Array("A".utf8))
    }

    @Test(arguments: ["", "A; timeout=\"1"])
    func keepAliveIgnored(_ value: String) throws {
        // Empty field or unparsable parameters: no keep-alive, no error.
        #expect(try T.instruction([("Grip-Keep-Alive", value)]).keepAlive == nil)
    }

    @Test(arguments: [
        ("; format=raw", "Grip-Keep-Alive cannot be empty"),
        ("x; mode=sometimes", "no such Grip-Keep-Alive mode 'sometimes'"),
        ("x; mode=IDLE", "no such Grip-Keep-Alive mode 'IDLE'"),
        ("x; timeout=abc", "failed to parse Grip-Keep-Alive timeout value"),
        // Pushpin skips what is not base64; pushpind takes only the canonical spelling.
        ("!!!; format=base64", "failed to parse Grip-Keep-Alive base64 format"),
        ("a!G=k; format=base64", "failed to parse Grip-Keep-Alive base64 format"),
        ("aGk; format=base64", "failed to parse Grip-Keep-Alive base64 format"),
        ("x; timeout", "failed to parse Grip-Keep-Alive timeout value"),
        ("x; timeout=-1", "Grip-Keep-Alive timeout has invalid value"),
        ("x; format=hex", "no such Grip-Keep-Alive format 'hex'"),
        ("x; format=RAW", "no such Grip-Keep-Alive format 'RAW'"),
        ("a\\x4; format=cstring", "failed to parse Grip-Keep-Alive cstring format"),
        ("a\\xZZ; format=cstring", "failed to parse Grip-Keep-Alive cstring format"),
        ("a\\; format=cstring", "failed to parse Grip-Keep-Alive cstring format"),
        ("\\q; format=cstring", "failed to parse Grip-Keep-Alive cstring format"),
        // Checked in Pushpin's order: mode before timeout before format.
        ("x; format=hex; timeout=-1; mode=bad", "no such Grip-Keep-Alive mode 'bad'"),
        ("x; format=hex; timeout=-1", "Grip-Keep-Alive timeout has invalid value"),
    ])
    func badKeepAlives(_ value: String, _ message: String) {
        #expect(T.error([("Grip-Hold", "stream"), ("Grip-Keep-Alive", value)]) == message)
    }

    // MARK: Meta

    @Test func metaEntries() throws {
        let instruction = try T.instruction([
            ("Grip-Set-Meta", "user=alice"),
            ("Grip-Set-Meta", "x=1, id_format=\"a,b\";ignored=1,  spaced = v ; o=2"),
            ("Grip-Set-Meta", "user=bob, flag, =empty-key"),
        ])
        #expect(instruction.meta == [
            GripMetaEntry("user", "bob"), GripMetaEntry("x", "1"), GripMetaEntry("id_format", "a,b"),
            GripMetaEntry("spaced", "v"), GripMetaEntry("flag", ""), GripMetaEntry("", "empty-key"),
        ])
        #expect(instruction.metaValue("user") == "bob")
        #expect(instruction.metaValue("nope") == nil)
    }

    @Test func metaSkipsUnparsableAndAllowsEmptyField() throws {
        #expect(try T.instruction([("Grip-Set-Meta", "")]).meta.isEmpty)
        #expect(try T.instruction([("Grip-Set-Meta", ";")]).meta == [GripMetaEntry("", "")])
        #expect(try T.instruction([("Grip-Set-Meta", "a=\"open, b=2")]).meta.isEmpty)
    }

    @Test(arguments: [",a=1", "a=1,,b=2"])
    func emptyMetaElement(_ value: String) {
        #expect(T.error([("Grip-Set-Meta", value)]) == "Grip-Set-Meta cannot be empty")
    }

    // MARK: Status

    @Test(arguments: [
        ("404", 404, "Not Found"), ("299 Very Fine", 299, "Very Fine"), ("201 ", 201, "Created"),
        ("+201", 201, "Created"), ("299", 299, "Undefined Reason"), ("599 x", 599, "x"),
        ("201  Two  Spaces", 201, " Two  Spaces"),
    ] as [(String, Int, String)])
    func status(_ value: String, _ code: Int, _ reason: String) throws {
        let response = try T.instruction([("Grip-Hold", "stream"), ("Grip-Status", value)]).response
        #expect(response.status == code)
        #expect(response.reason == reason)
    }

    @Test(arguments: ["abc", "1000", "-1", "20x OK", "4.5"])
    func badStatus(_ value: String) {
        #expect(T.error([("Grip-Status", value)]) == "Grip-Status contains invalid status code")
    }

    /// Pushpin takes 0–999; a client can only read a final response of 200–599, and a 204 or
    /// 304 stream would make it read the stream as the next response.
    @Test(arguments: [
        ("0", "response contains 'code' with invalid value: status 0 is not 200–599"),
        ("101 Switching", "response contains 'code' with invalid value: status 101 is not 200–599"),
        ("999 x", "response contains 'code' with invalid value: status 999 is not 200–599"),
        ("204", "response contains 'body' with invalid value: status 204 has no body"),
    ])
    func statusAClientCannotRead(_ value: String, _ message: String) {
        #expect(T.error([("Grip-Hold", "stream"), ("Grip-Status", value)]) == message)
    }

    @Test func backendStatusAndReasonWithoutGripStatus() throws {
        let kept = try T.instruction([("Grip-Channel", "c")], status: 299, reason: "Backend Reason").response
        #expect((kept.status, kept.reason) == (299, "Backend Reason"))
        let replaced = try T.instruction([("Grip-Channel", "c"), ("Grip-Status", "298")], status: 299, reason: "Backend Reason")
        #expect((replaced.response.status, replaced.response.reason) == (298, "Undefined Reason"))
        let empty = try T.instruction([("Grip-Channel", "c")], status: 413, reason: "").response
        #expect(empty.reason == "Request Entity Too Large")
    }

    @Test func emptyGripStatusIsIgnored() throws {
        #expect(try T.instruction([("Grip-Status", "")], status: 202, reason: "Accepted").response.status == 202)
    }

    // MARK: Links

    @Test func nextLink() throws {
        let instruction = try T.instruction([("Grip-Hold", "stream"), ("Grip-Link", "</next?x=1>; rel=next; timeout=30")])
        #expect(instruction.nextLink == GripLink(uri: "/next?x=1", timeoutSeconds: 30))
        let defaulted = try T.instruction([("Grip-Link", "<http://example.com/n>; rel=\"next\"")])
        #expect(defaulted.nextLink == GripLink(uri: "http://example.com/n", timeoutSeconds: 120))
    }

    @Test func goneAndOtherLinks() throws {
        let instruction = try T.instruction([
            ("Grip-Link", "</gone>; rel=gone, </a>; rel=next, </b>; rel=next; timeout=0, </c>; rel=prev, garbage"),
        ])
        #expect(instruction.goneLink == "/gone")
        #expect(instruction.nextLink == GripLink(uri: "/b", timeoutSeconds: 0))
    }

    @Test(arguments: [
        ("/next; rel=next", "failed to parse Grip-Link value"),
        ("<>; rel=next", "failed to parse Grip-Link value"),
        ("<x; rel=next", "failed to parse Grip-Link value"),
        ("</n>; rel=next; timeout=x", "failed to parse Grip-Link timeout value"),
        ("</n>; rel=next; timeout=-2", "Grip-Link timeout has invalid value"),
        ("<http://[x>; rel=next", "Grip-Link contains invalid link"),
        ("<http://a:b/>; rel=next", "Grip-Link contains invalid link"),
        ("<http://a b/>; rel=next", "Grip-Link contains invalid link"),
        ("<http://x:99999/>; rel=next", "Grip-Link contains invalid link"),
        ("<1http://x/>; rel=next", "Grip-Link contains invalid link"),
        ("<http://a{b}/>; rel=next", "Grip-Link contains invalid link"),
        ("<http://[zz]/>; rel=next", "Grip-Link contains invalid link"),
        ("<http://a%20b/>; rel=next", "Grip-Link contains invalid link"),
        // A malformed target is an error whatever the rel.
        ("garbage; rel=unknown", "failed to parse Grip-Link value"),
    ])
    func badLinks(_ value: String, _ message: String) {
        #expect(T.error([("Grip-Link", value)]) == message)
    }

    @Test(arguments: [
        "/path with space", "next?x=1", "#frag", "a:b:c", "http:///x", "http://[::1]/x", "http:",
        "http://u:p@h:80/x", "https://example.com:443/a?b#c", "//host/x",
    ])
    func acceptedLinkTargets(_ uri: String) throws {
        #expect(try T.instruction([("Grip-Link", "<\(uri)>; rel=next")]).nextLink?.uri == uri)
    }

    @Test func singleParameterLinksAreIgnored() throws {
        #expect(try T.instruction([("Grip-Link", "garbage")]).nextLink == nil)
        #expect(try T.instruction([("Grip-Link", "</x>")]).nextLink == nil)
    }

    @Test func streamPrevIDNeedsNextLink() throws {
        let missing = try T.instruction([("Grip-Hold", "stream"), ("Grip-Channel", "a, c; prev-id=1")])
        #expect(missing.streamPrevIDWithoutNextLink == "channel 'c' specifies prev-id, but no next link found")
        let linked = try T.instruction([
            ("Grip-Hold", "stream"), ("Grip-Channel", "c; prev-id=1"), ("Grip-Link", "</n>; rel=next"),
        ])
        #expect(linked.streamPrevIDWithoutNextLink == nil)
        let longPoll = try T.instruction([("Grip-Hold", "response"), ("Grip-Channel", "c; prev-id=1")])
        #expect(longPoll.streamPrevIDWithoutNextLink == nil)
    }

    // MARK: Error order

    @Test func errorsComeInPushpinsOrder() {
        let all: [(String, String)] = [
            ("Grip-Link", "bad; rel=next"), ("Grip-Status", "x"), ("Grip-Set-Meta", ",x"),
            ("Grip-Keep-Alive", "; a"), ("Grip-Timeout", "x"), ("Grip-Hold", "x"),
        ]
        var fields = all
        for expected in [
            "Grip-Hold must be set to either 'response' or 'stream'", "failed to parse Grip-Timeout",
            "Grip-Keep-Alive cannot be empty", "Grip-Set-Meta cannot be empty",
            "Grip-Status contains invalid status code", "failed to parse Grip-Link value",
        ] {
            #expect(T.error(fields) == expected)
            fields.removeLast()
        }
    }
}
