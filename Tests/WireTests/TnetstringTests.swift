import Testing
import Wire

@Suite("Tnetstring codec")
struct TnetstringTests {
    private func decode(_ text: String) throws(TnetstringError) -> TnetValue {
        try TnetstringDecoder.decode(Array(text.utf8))
    }

    private func error(_ text: String) -> TnetstringError? {
        do {
            _ = try decode(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func scalars() throws {
        #expect(try decode("0:~") == .null)
        #expect(try decode("4:true!") == .bool(true))
        #expect(try decode("5:false!") == .bool(false))
        #expect(try decode("2:42#") == .int(42))
        #expect(try decode("3:-17#") == .int(-17))
        #expect(try decode("3:1.5^") == .double(1.5))
        #expect(try decode("5:hello,") == .string("hello"))
        #expect(try decode("0:,") == .bytes([]))
    }

    @Test func bytesAreKeptAsIs() throws {
        #expect(try TnetstringDecoder.decode(Array("3:".utf8) + [0xFF, 0x00, 0x3A] + Array(",".utf8)) == .bytes([0xFF, 0x00, 0x3A]))
    }

    @Test func containers() throws {
        #expect(try decode("0:]") == .list([]))
        #expect(try decode("11:1:1#1:a,0:~]") == .list([.int(1), .string("a"), .null]))
        let dict = try decode("29:7:channel,4:news,4:size,2:12#}")
        #expect(dict == .dict([("channel", .string("news")), ("size", .int(12))]))
        #expect(dict["channel"] == .string("news"))
        #expect(dict["missing"] == nil)
        #expect(try decode("13:1:a,6:0:]0:}]}") == .dict([("a", .list([.list([]), .emptyDict]))]))
    }

    @Test func encodesWhatItDecodes() throws {
        let value = TnetValue.dict([
            ("method", .string("publish")),
            ("args", .dict([("items", .list([.dict([("channel", .string("c")), ("n", .int(-3)), ("f", .double(0.25))])]))])),
            ("ok", .bool(true)), ("none", .null), ("bin", .bytes([0, 255])),
        ])
        let bytes = TnetstringEncoder.encode(value)
        #expect(try TnetstringDecoder.decode(bytes) == value)
        #expect(TnetstringEncoder.encode(.string("hi")) == Array("2:hi,".utf8))
        #expect(TnetstringEncoder.encode(.list([.int(1), .bool(false)])) == Array("12:1:1#5:false!]".utf8))
    }

    @Test func rejectsMalformedInput() {
        #expect(error("") != nil)
        #expect(error("5") != nil)
        #expect(error(":,") != nil)
        #expect(error("x:,") != nil)
        #expect(error("5:abc,") != nil)  // length runs past the end
        #expect(error("3:abc") != nil)  // no type byte
        #expect(error("3:abc?") != nil)  // unknown type
        #expect(error("3:abc,x") != nil)  // trailing data
        #expect(error("2:ab#") != nil)
        #expect(error("20:99999999999999999999#") != nil)  // beyond Int
        #expect(error("3:nan^") != nil)
        #expect(error("3:yes!") != nil)
        #expect(error("1:x~") != nil)
        #expect(error("4:1:1#}") != nil)  // key is not a string
        #expect(error("4:1:a,}") != nil)  // key without value
        #expect(error("5:2:abc,]") != nil)  // child overruns its parent
        #expect(error("1234567890:x,") != nil)  // ten length digits
    }

    @Test func boundsNesting() {
        var text = "0:]"
        for _ in 0..<TnetstringDecoder.maxDepth { text = "\(text.utf8.count):\(text)]" }
        #expect(error(text)?.message == "nested deeper than \(TnetstringDecoder.maxDepth)")
    }

    @Test func convertsToJSON() throws {
        let value = try decode("45:7:channel,4:news,4:list,7:1:1#0:~]1:t,4:true!}")
        #expect(value.jsonValue == .object(JSONObject([
            ("channel", .string("news")), ("list", .array([.int(1), .null])), ("t", .bool(true)),
        ])))
        // Binary bodies survive as base64 the item parser decodes.
        let binary = TnetValue.dict([("content", .bytes([0xFF, 0xFE])), ("body", .string("ok"))])
        #expect(binary.jsonValue == .object(JSONObject([("content-bin", .string("//4=")), ("body", .string("ok"))])))
    }
}
