import Testing
@testable import Wire

@Suite("Publish body reader")
struct PublishBodyReaderTests {
    static func read(_ body: String) -> [PublishItem]? {
        Array(body.utf8).withUnsafeBytes(PublishBodyReader.read)
    }

    static func fromDocument(_ body: String) -> Result<[PublishItem], PublishError> {
        PublishRequestParser.parseDocument(body: Array(body.utf8))
    }

    /// The usual shapes are read from the bytes, into the items the document path makes.
    @Test(arguments: [
        #"{"items":[]}"#,
        #"{"items":[{"channel":"api","formats":{"http-stream":{"content":"hello, subscriber\n"}}}]}"#,
        " {\"items\" : [ {\"formats\":{\"http-stream\":{\"action\":\"close\"}}, \"channel\":\"a\"} ,\n"
            + #"{"channel":"b","formats":{"http-stream":{"action":"hint","content":"ignored"}}}] } "#,
        #"{"items":[{"channel":"a","id":"1","prev-id":"0","no-seq":true,"formats":{"ws-message":{"content":"x","type":"binary"},"http-stream":{"content":""}}}]}"#,
        #"{"items":[{"channel":"","no-seq":false,"formats":{"ws-message":{"action":"refresh"}}}]}"#,
        #"{"items":[{"channel":"a\u00e9\ud83d\ude00\"","formats":{"ws-message":{"action":"close","type":"pong"}}}]}"#,
        #"{"items":[{"channel":"caf\u00e9","formats":{"ws-message":{"type":"ping","content":"\u0000"}}}]}"#,
        #"{"it\u0065ms":[{"ch\u0061nnel":"a","formats":{"ws-message":{"action":"hint"}}}]}"#,
    ])
    func readsTheUsualShapes(_ body: String) throws {
        let items = try #require(Self.read(body))
        #expect(Self.fromDocument(body) == .success(items))
        #expect(PublishRequestParser.parse(body: Array(body.utf8)) == .success(items))
    }

    @Test func contentKeepsItsDecodedBytes() throws {
        let items = try #require(Self.read(#"{"items":[{"channel":"c\"h","formats":{"http-stream":{"content":"a\nb\u00e9"}}}]}"#))
        #expect(items == [PublishItem(channel: "c\"h", httpStream: PublishHTTPStream(content: Array("a\nb\u{e9}".utf8)))])
    }

    /// Everything else is left to the document path, whose answer `parse(body:)` gives.
    @Test(arguments: [
        "",
        #"{"items":[]} x"#,
        #"{"items":[],}"#,
        "\u{FEFF}{\"items\":[]}",
        #"{"items":5,"items":[]}"#,
        #"{"items":[],"x":1}"#,
        #"{"items":[{"channel":"a","channel":"b","formats":{"http-stream":{"content":"x"}}}]}"#,
        #"{"items":[{"channel":"a","formats":{"http-stream":{"content":"x"},"http-stream":{"content":"y"}}}]}"#,
        #"{"items":[{"channel":"a","formats":{"http-response":{"body":"x"}}}]}"#,
        #"{"items":[{"channel":"a","formats":{"http-stream":{"action":"refresh"}}}]}"#,
        #"{"items":[{"channel":"a","formats":{"http-stream":{"action":"send"}}}]}"#,
        #"{"items":[{"channel":"a","formats":{"http-stream":{"content":"x","type":"text"}}}]}"#,
        #"{"items":[{"channel":"a","formats":{"ws-message":{"type":"ping"}}}]}"#,
        #"{"items":[{"channel":"a","formats":{"ws-message":{"content":"x","type":"other"}}}]}"#,
        #"{"items":[{"channel":"a","formats":{}}]}"#,
        #"{"items":[{"channel":"a","http-stream":{"content":"x"}}]}"#,
        #"{"items":[{"channel":5,"formats":{"http-stream":{"content":"x"}}}]}"#,
        #"{"items":[{"formats":{"http-stream":{"content":"x"}}}]}"#,
        #"{"items":[{"channel":"a","size":3,"formats":{"http-stream":{"content":"x"}}}]}"#,
        #"{"items":[{"channel":"a","formats":{"http-stream":{"content":"\ud800"}}}]}"#,
        "{\"items\":[{\"channel\":\"\u{1}\",\"formats\":{\"http-stream\":{\"content\":\"x\"}}}]}",
    ])
    func leavesTheRestToTheDocumentPath(_ body: String) {
        #expect(Self.read(body) == nil)
        #expect(PublishRequestParser.parse(body: Array(body.utf8)) == Self.fromDocument(body))
    }
}
