import Testing
import Wire

@Suite("Publish item frames (ZeroMQ inputs)")
struct PublishItemFrameTests {
    private func parse(_ bytes: [UInt8], channel: String? = nil) -> Result<PublishItem, PublishError> {
        PublishItemFrame.parse(bytes, channel: channel)
    }

    private let tnetItem = TnetValue.dict([
        ("channel", .string("news")), ("id", .string("7")),
        ("formats", .dict([("http-stream", .dict([("content", .bytes([0x68, 0x69, 0xFF]))]))])),
    ])

    @Test func jsonItem() throws {
        let item = try parse(Array(#"J{"channel":"c","formats":{"ws-message":{"content":"hi"}}}"#.utf8)).get()
        #expect(item.channel == "c")
        #expect(item.wsMessage?.content == Array("hi".utf8))
    }

    @Test func tnetstringItemsWithAndWithoutPrefix() throws {
        for frame in [Array("T".utf8) + TnetstringEncoder.encode(tnetItem), TnetstringEncoder.encode(tnetItem)] {
            let item = try parse(frame).get()
            #expect(item.channel == "news")
            #expect(item.id == "7")
            #expect(item.httpStream?.content == [0x68, 0x69, 0xFF])
        }
    }

    @Test func topicFrameWinsOverTheItemsChannel() throws {
        #expect(try parse(TnetstringEncoder.encode(tnetItem), channel: "other").get().channel == "other")
        let item = try parse(Array(#"J{"formats":{"http-stream":{"content":"x"}}}"#.utf8), channel: "topic").get()
        #expect(item.channel == "topic")
    }

    @Test func badFramesNameTheReason() {
        func reason(_ bytes: [UInt8]) -> String? {
            if case .failure(let error) = parse(bytes) { return error.message }
            return nil
        }
        #expect(reason([]) == "Invalid format: empty message")
        #expect(reason(Array("J{".utf8))?.hasPrefix("Invalid format: item is not valid JSON") == true)
        #expect(reason(Array("garbage".utf8))?.hasPrefix("Invalid format: item is not a tnetstring") == true)
        #expect(reason(Array(#"J{"channel":"c"}"#.utf8)) == "Invalid format: no formats specified")
        #expect(reason(Array(#"J["x"]"#.utf8)) == "Invalid format: publish item object is not an object")
    }
}
