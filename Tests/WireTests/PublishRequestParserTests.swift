import Testing
@testable import Wire

enum PublishTestSupport {
    static func parse(_ body: String) -> Result<[PublishItem], PublishError> {
        PublishRequestParser.parse(body: Array(body.utf8))
    }

    static func items(_ body: String) throws -> [PublishItem] {
        try parse(body).get()
    }

    static func item(_ itemJSON: String) throws -> PublishItem {
        let items = try parse(#"{"items":["# + itemJSON + "]}").get()
        return try #require(items.first)
    }

    static func error(_ body: String) -> PublishError? {
        if case .failure(let error) = parse(body) { return error }
        return nil
    }
}

@Suite("Publish request envelope")
struct PublishRequestParserTests {
    typealias T = PublishTestSupport

    /// Every answer below was recorded from Pushpin 1.36 (`POST /publish/`, curl).
    @Test(arguments: [
        ("", 400, "Body is not valid JSON."),
        (#"{"items":"#, 400, "Body is not valid JSON."),
        (#"{"items":[]} x"#, 400, "Body is not valid JSON."),
        (#"{"items":[],}"#, 400, "Body is not valid JSON."),
        ("\"x\"", 400, "Body is not valid JSON."),
        ("5", 400, "Body is not valid JSON."),
        ("null", 400, "Body is not valid JSON."),
        ("[]", 400, "Invalid format."),
        ("{}", 400, "Invalid format: object does not contain 'items'"),
        (#"{"foo":1}"#, 400, "Invalid format: object does not contain 'items'"),
        (#"{"items":{}}"#, 400, "Invalid format: object contains 'items' with wrong type"),
        (#"{"items":"x"}"#, 400, "Invalid format: object contains 'items' with wrong type"),
        (#"{"items":null}"#, 400, "Invalid format: object contains 'items' with wrong type"),
        (#"{"items":5,"items":[]}"#, 200, ""),
        (#"{"items":[],"items":5}"#, 400, "Invalid format: object contains 'items' with wrong type"),
    ] as [(String, Int, String)])
    func envelope(_ body: String, _ status: Int, _ message: String) {
        switch T.parse(body) {
        case .success: #expect(status == 200)
        case .failure(let error): #expect(error == PublishError(status: status, message: message))
        }
    }

    @Test func emptyItemsListIsPublished() throws {
        #expect(try T.items(#"{"items":[]}"#).isEmpty)
    }

    @Test func whitespaceByteOrderMarkAndExtraKeys() throws {
        #expect(try T.items(" \n{\"items\":[]}\n ").isEmpty)
        let bom = [0xEF, 0xBB, 0xBF] + Array(#"{"items":[]}"#.utf8)
        #expect(try PublishRequestParser.parse(body: bom).get().isEmpty)
        let extra = #"{"items":[{"channel":"c","formats":{"http-stream":{"content":"x"}}}],"foo":1}"#
        #expect(try T.items(extra).count == 1)
    }

    @Test func anyBadItemRejectsAll() {
        let body = #"{"items":[{"channel":"c","formats":{"http-stream":{"content":"x"}}},{"channel":1}]}"#
        #expect(T.error(body) == .invalidFormat("publish item object contains 'channel' with wrong type"))
    }

    @Test func errorBodyHasTrailingNewline() {
        #expect(PublishError.notJSON.body == "Body is not valid JSON.\n")
        #expect(PublishError.invalidFormat("").body == "Invalid format: \n")
    }

    @Test func controlServerAnswers() {
        #expect(PublishError.lengthRequired == PublishError(status: 411, message: "Request requires Content-Length."))
        #expect(PublishError.methodNotAllowed("GET").body == "Method not allowed: GET.\n")
        #expect(PublishError.notFound.body == "Not Found\n")
        #expect(PublishError.notAcceptable.status == 406)
    }

    @Test func parseItemWithTopicOverride() throws {
        let value = try JSONValue.parse(#"{"channel":5,"formats":{"ws-message":{"content":"hi"}}}"#)
        let item = try PublishRequestParser.parseItem(value, channel: "topic").get()
        #expect(item.channel == "topic")
        #expect(item.wsMessage == PublishWSMessage(content: Array("hi".utf8)))
        if case .failure(let error) = PublishRequestParser.parseItem(value, channel: "") {
            #expect(error.message == "Invalid format: publish item object contains 'channel' with wrong type")
        } else {
            Issue.record("an empty topic must not replace the item's channel")
        }
    }
}

@Suite("Publish item")
struct PublishItemTests {
    typealias T = PublishTestSupport

    @Test func fullItem() throws {
        let item = try T.item("""
            {"channel":"news","id":"42","prev-id":"41","meta":{"sender":"alice","x":""},"size":1234,"no-seq":true,
             "formats":{"http-stream":{"content":"hi\\n"}}}
            """)
        #expect(item == PublishItem(
            channel: "news", id: "42", prevID: "41", meta: ["sender": "alice", "x": ""],
            httpStream: PublishHTTPStream(content: Array("hi\n".utf8)), size: 1234, noSeq: true))
    }

    @Test func minimalItem() throws {
        let item = try T.item(#"{"channel":"","formats":{"ws-message":{"content":"x"}}}"#)
        #expect(item == PublishItem(channel: "", wsMessage: PublishWSMessage(content: [0x78])))
    }

    @Test func legacyTopLevelFormats() throws {
        let item = try T.item(#"{"channel":"c","http-stream":{"content":"a"},"ws-message":{"content":"b"},"junk":1}"#)
        #expect(item.httpStream == PublishHTTPStream(content: [0x61]))
        #expect(item.wsMessage == PublishWSMessage(content: [0x62]))
        #expect(item.httpResponse == nil)
    }

    @Test func formatsObjectHidesTopLevelFormats() throws {
        let item = try T.item(#"{"channel":"c","formats":{"ws-message":{"content":"x"}},"http-stream":5}"#)
        #expect(item.httpStream == nil)
        #expect(item.wsMessage != nil)
    }

    @Test func onlyUnknownFormatsIsAcceptedAndDeliversNothing() throws {
        let item = try T.item(#"{"channel":"c","formats":{"foo":{}}}"#)
        #expect(item == PublishItem(channel: "c"))
    }

    @Test(arguments: [
        ("-0.4", 0), ("true", 1), ("\"7\"", 7), ("\"x\"", 0), ("0", 0),
    ] as [(String, Int)])
    func sizeCoercion(_ json: String, _ size: Int) throws {
        #expect(try T.item(#"{"channel":"c","size":"# + json + #","formats":{"http-stream":{"content":"x"}}}"#).size == size)
    }

    @Test func duplicateMetaKeysKeepLastValue() throws {
        let item = try T.item(#"{"channel":"c","meta":{"a":1,"a":"ok"},"formats":{"http-stream":{"content":"x"}}}"#)
        #expect(item.meta == ["a": "ok"])
    }

    /// Exact Pushpin 1.36 texts; the full answer is `400` and "Invalid format: " + text + "\n".
    @Test(arguments: [
        ("1", "publish item object is not an object"),
        ("[]", "publish item object is not an object"),
        ("\"x\"", "publish item object is not an object"),
        ("null", "publish item object is not an object"),
        (#"{"formats":{"http-stream":{"content":"x"}}}"#, "publish item object does not contain 'channel'"),
        (#"{"channel":1,"formats":{}}"#, "publish item object contains 'channel' with wrong type"),
        (#"{"channel":null}"#, "publish item object contains 'channel' with wrong type"),
        (#"{"channel":{}}"#, "publish item object contains 'channel' with wrong type"),
        (#"{"channel":"c","id":1}"#, "publish item object contains 'id' with wrong type"),
        (#"{"channel":"c","id":null}"#, "publish item object contains 'id' with wrong type"),
        (#"{"channel":"c","prev-id":1}"#, "publish item object contains 'prev-id' with wrong type"),
        (#"{"channel":"c","prev-id":true}"#, "publish item object contains 'prev-id' with wrong type"),
        (#"{"channel":"c","formats":"x"}"#, "publish item object contains 'formats' with wrong type"),
        (#"{"channel":"c","formats":[]}"#, "publish item object contains 'formats' with wrong type"),
        (#"{"channel":"c","formats":null}"#, "publish item object contains 'formats' with wrong type"),
        (#"{"channel":"c","formats":{}}"#, "no formats specified"),
        (#"{"channel":"c"}"#, "no formats specified"),
        (#"{"channel":"c","http-stream":5}"#, "'http-stream' is not an object"),
        (#"{"channel":"c","meta":"x","formats":{"http-stream":{"content":"x"}}}"#, "publish item object contains 'meta' with wrong type"),
        (#"{"channel":"c","meta":[],"formats":{"http-stream":{"content":"x"}}}"#, "publish item object contains 'meta' with wrong type"),
        (#"{"channel":"c","meta":null,"formats":{"http-stream":{"content":"x"}}}"#, "publish item object contains 'meta' with wrong type"),
        (#"{"channel":"c","meta":{"user":1},"formats":{"http-stream":{"content":"x"}}}"#, "'meta' contains 'user' with wrong type"),
        (#"{"channel":"c","meta":{"zz":1,"aa":2},"formats":{"http-stream":{"content":"x"}}}"#, "'meta' contains 'aa' with wrong type"),
        (#"{"channel":"c","meta":{"b":1,"B":2},"formats":{"http-stream":{"content":"x"}}}"#, "'meta' contains 'B' with wrong type"),
        (#"{"channel":"c","meta":{"é":1,"z":2},"formats":{"http-stream":{"content":"x"}}}"#, "'meta' contains 'z' with wrong type"),
        (#"{"channel":"c","size":null,"formats":{"http-stream":{"content":"x"}}}"#, "publish item object contains 'size' with wrong type"),
        (#"{"channel":"c","size":[],"formats":{"http-stream":{"content":"x"}}}"#, "publish item object contains 'size' with wrong type"),
        (#"{"channel":"c","size":-1,"formats":{"http-stream":{"content":"x"}}}"#, "publish item object contains 'size' with invalid value"),
        (#"{"channel":"c","size":"-5","formats":{"http-stream":{"content":"x"}}}"#, "publish item object contains 'size' with invalid value"),
        (#"{"channel":"c","no-seq":1,"formats":{"http-stream":{"content":"x"}}}"#, "publish item object contains 'no-seq' with wrong type"),
        (#"{"channel":"c","no-seq":null,"formats":{"http-stream":{"content":"x"}}}"#, "publish item object contains 'no-seq' with wrong type"),
        (#"{"channel":"c","no-seq":"true","formats":{"http-stream":{"content":"x"}}}"#, "publish item object contains 'no-seq' with wrong type"),
        // Order: channel, id, prev-id, formats, the formats in turn, meta, size, no-seq.
        (#"{"formats":5}"#, "publish item object does not contain 'channel'"),
        (#"{"channel":"c","id":1,"formats":5}"#, "publish item object contains 'id' with wrong type"),
        (#"{"channel":"c","meta":5,"formats":{}}"#, "no formats specified"),
        (#"{"channel":"c","meta":5,"size":"x","formats":{"http-stream":{"content":"x"}}}"#, "publish item object contains 'meta' with wrong type"),
        (#"{"channel":"c","formats":{"http-stream":5,"http-response":5}}"#, "'http-response' is not an object"),
        (#"{"channel":"c","formats":{"ws-message":5,"http-stream":5}}"#, "'http-stream' is not an object"),
    ])
    func rejectedItems(_ itemJSON: String, _ message: String) {
        #expect(T.error(#"{"items":["# + itemJSON + "]}") == .invalidFormat(message))
    }
}
