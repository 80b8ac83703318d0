import Testing
import Wire

@Suite("JSON writer and object")
struct JSONWriterTests {
    @Test func scalars() {
        #expect(JSONValue.null.serialized == "null")
        #expect(JSONValue.bool(true).serialized == "true")
        #expect(JSONValue.bool(false).serialized == "false")
        #expect(JSONValue.int(-42).serialized == "-42")
        #expect(JSONValue.int(Int.min).serialized == "-9223372036854775808")
        #expect(JSONValue.double(1.5).serialized == "1.5")
        #expect(JSONValue.double(3).serialized == "3.0")
        #expect(JSONValue.double(1e20).serialized == "1e+20")
        #expect(JSONValue.double(.infinity).serialized == "null")
        #expect(JSONValue.double(.nan).serialized == "null")
    }

    @Test func stringEscaping() {
        #expect(JSONValue.string("a\"b\\c/d").serialized == #""a\"b\\c/d""#)
        #expect(JSONValue.string("\n\r\t\u{08}\u{0C}").serialized == #""\u000a\u000d\u0009\u0008\u000c""#)
        #expect(JSONValue.string("\u{0}\u{1F}\u{7F}").serialized == "\"\\u0000\\u001f\u{7F}\"")
        #expect(JSONValue.string("é€😀").serialized == "\"é€😀\"")
        #expect(JSONValue.string("a\u{2028}b\u{2029}c\u{2027}").serialized == "\"a\\u2028b\\u2029c\u{2027}\"")
    }

    @Test func containersKeepOrder() {
        let object = JSONObject([("z", .int(1)), ("a", .array([.null, .bool(false)])), ("m", .object(JSONObject()))])
        #expect(JSONValue.object(object).serialized == #"{"z":1,"a":[null,false],"m":{}}"#)
        #expect(JSONValue.array([]).serialized == "[]")
        #expect(JSONValue.object(JSONObject([("k\"ey", .string("v"))])).serialized == #"{"k\"ey":"v"}"#)
    }

    @Test func roundTripOfBuiltValues() throws {
        let values: [JSONValue] = [
            .null, .bool(true), .int(0), .int(Int.max), .int(Int.min),
            .double(0.1), .double(-0.0), .double(1e-300), .double(.leastNonzeroMagnitude), .double(1.7976931348623157e308),
            .double(123456789.125), .string(""), .string("\u{0}\u{1}\u{1F}\"\\\u{2028}😀"),
            .array([.int(1), .array([.array([])]), .object(JSONObject([("a", .null)]))]),
            .object(JSONObject([("dup", .int(1)), ("dup", .int(2)), ("", .string("empty key"))])),
        ]
        for value in values {
            #expect(try JSONValue.parse(value.serialized) == value, "\(value.serialized)")
        }
    }

    @Test func roundTripOfParsedDocuments() throws {
        let documents = [
            #"{"items":[{"channel":"test","formats":{"http-stream":{"content":"hello\n"}}}]}"#,
            #"[1,-1,0.5,-2.5e-7,1E10,true,false,null,"\u00e9\ud83d\ude00\"",{}]"#,
            #"{"a":{"b":{"c":{"d":[[[[]]]]}}}}"#,
        ]
        for text in documents {
            let value = try JSONValue.parse(text)
            let reparsed = try JSONValue.parse(value.serialized)
            #expect(reparsed == value)
            #expect(reparsed.serialized == value.serialized)
        }
    }

    @Test func objectSubscriptSetAndRemove() {
        var object = JSONObject([("a", .int(1)), ("b", .int(2)), ("a", .int(3))])
        object["a"] = .string("x")
        #expect(object.keys == ["a", "b", "a"])
        #expect(object["a"] == .string("x"))
        #expect(JSONValue.object(object).serialized == #"{"a":1,"b":2,"a":"x"}"#)
        object["c"] = .null
        #expect(object.keys == ["a", "b", "a", "c"])
        #expect(object["c"] == .null)
        object["a"] = nil
        #expect(object.keys == ["b", "c"])
        #expect(object["a"] == nil)
        object["nope"] = nil
        #expect(object.count == 2)
    }

    @Test func largeObjectLookupUsesLastOccurrence() {
        var pairs: [(String, JSONValue)] = (0..<40).map { ("k\($0)", .int($0)) }
        pairs.append(("k5", .int(500)))
        var object = JSONObject(pairs)
        #expect(object.count == 41)
        #expect(object["k5"] == .int(500))
        #expect(object["k39"] == .int(39))
        #expect(object["k40"] == nil)
        object["k40"] = .int(40)
        #expect(object["k40"] == .int(40))
        object["k5"] = nil
        #expect(object["k5"] == nil)
        #expect(object.count == 40)
        #expect(object["k6"] == .int(6))
        #expect(object.keys.last == "k40")
    }

    @Test func objectEqualityAndIteration() {
        let left = JSONObject([("a", .int(1)), ("b", .int(2))])
        #expect(left == JSONObject([("a", .int(1)), ("b", .int(2))]))
        #expect(left != JSONObject([("b", .int(2)), ("a", .int(1))]))
        #expect(left != JSONObject([("a", .int(1))]))
        #expect(left != JSONObject([("a", .int(1)), ("b", .double(2))]))
        var seen: [String] = []
        for (key, value) in left { seen.append("\(key)=\(value.serialized)") }
        #expect(seen == ["a=1", "b=2"])
        #expect(left.map(\.key) == ["a", "b"])
        #expect(JSONObject().isEmpty)
    }
}
