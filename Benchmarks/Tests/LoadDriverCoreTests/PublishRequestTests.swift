import LoadDriverCore
import Testing
import Wire

@Suite struct PublishRequestTests {
    let target = TargetURL("http://127.0.0.1:5561/publish/")!

    /// The body is JSON Pushpin accepts, and the content a subscriber receives is `size` bytes.
    @Test(arguments: DeliveryKind.allCases)
    func bodyIsValidJSONWithPayloadOfSize(kind: DeliveryKind) throws {
        let builder = PublishRequestBuilder(kind: kind, target: target, channelPrefix: "bench-", size: 64)
        var body: [UInt8] = []
        builder.appendBody(items: [PublishItem(channel: 2, sequence: 7), PublishItem(channel: 3, sequence: 7)], nowNanos: 42, to: &body)
        let json = try JSONValue.parse(body)
        let items = try #require(json.objectValue?["items"]?.arrayValue)
        #expect(items.count == 2)
        let item = try #require(items.first?.objectValue)
        #expect(item["channel"]?.stringValue == "bench-2")
        let format = try #require(item["formats"]?.objectValue?[kind.formatName]?.objectValue)
        let content = try #require(format[kind.contentField]?.stringValue)
        #expect(content.utf8.count == 64)
        #expect(content.hasSuffix("\n") == (kind == .stream))
        #expect(Array(content.utf8).withUnsafeBytes { Payload.parse($0) } == Payload.Stamp(channel: 2, sequence: 7, publishedNanos: 42))
    }

    @Test func requestHeadCarriesContentLength() {
        let builder = PublishRequestBuilder(kind: .stream, target: target, channelPrefix: "c", size: 10)
        let request = String(decoding: builder.request(items: [PublishItem(channel: 0, sequence: 0)], nowNanos: 1), as: UTF8.self)
        #expect(request.hasPrefix("POST /publish/ HTTP/1.1\r\nHost: 127.0.0.1:5561\r\n"))
        let parts = request.split(separator: "\r\n\r\n", maxSplits: 1)
        #expect(parts.count == 2)
        #expect(parts[0].contains("Content-Length: \(parts[1].utf8.count)"))
    }

    /// Nchan: the channel goes in the query and the body is the message; its raw stream adds
    /// the newline, so a stream message is one byte short of `size`.
    @Test(arguments: DeliveryKind.allCases)
    func nchanRequestCarriesTheMessageAsBody(kind: DeliveryKind) throws {
        let builder = PublishRequestBuilder(api: .nchan, kind: kind, target: TargetURL("http://127.0.0.1:8080/pub")!, channelPrefix: "bench-", size: 64)
        let request = String(decoding: builder.request(items: [PublishItem(channel: 3, sequence: 9)], nowNanos: 5), as: UTF8.self)
        #expect(request.hasPrefix("POST /pub?channel=bench-3 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: text/plain\r\n"))
        let parts = request.split(separator: "\r\n\r\n", maxSplits: 1)
        let body = try #require(parts.last.map { Array($0.utf8) })
        #expect(parts[0].contains("Content-Length: \(body.count)"))
        #expect(body.count == (kind == .stream ? 63 : 64))
        #expect(body.withUnsafeBytes { Payload.parse($0) } == Payload.Stamp(channel: 3, sequence: 9, publishedNanos: 5))
    }

    @Test func subscribeRequestPutsChannelInQuery() {
        let stream = String(decoding: SubscribeRequest.bytes(kind: .stream, target: TargetURL("http://h:1/stream")!, channel: "bench 1"), as: UTF8.self)
        #expect(stream.hasPrefix("GET /stream?channel=bench%201 HTTP/1.1\r\nHost: h:1\r\n"))
        let ws = String(decoding: SubscribeRequest.bytes(kind: .ws, target: TargetURL("http://h:1/ws")!, channel: "a"), as: UTF8.self)
        #expect(ws.contains("Upgrade: websocket\r\n") && ws.contains("Sec-WebSocket-Version: 13\r\n") && ws.hasSuffix("\r\n\r\n"))
    }
}
