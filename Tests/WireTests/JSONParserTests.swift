import Testing
import Wire

@Suite("JSON parser")
struct JSONParserTests {
    private func parse(_ text: String) throws(JSONError) -> JSONValue {
        try JSONValue.parse(text)
    }

    private func parseError(_ bytes: [UInt8]) -> JSONError? {
        do {
            _ = try JSONValue.parse(bytes)
            return nil
        } catch {
            return error
        }
    }

    private func parseError(_ text: String) -> JSONError? {
        parseError(Array(text.utf8))
    }

    @Test func scalars() throws {
        #expect(try parse("null") == .null)
        #expect(try parse("true") == .bool(true))
        #expect(try parse("false") == .bool(false))
        #expect(try parse("0") == .int(0))
        #expect(try parse("-0") == .int(0))
        #expect(try parse("42") == .int(42))
        #expect(try parse("-17") == .int(-17))
        #expect(try parse("1.5") == .double(1.5))
        #expect(try parse("-0.25") == .double(-0.25))
        #expect(try parse("1e3") == .double(1000))
        #expect(try parse("1E+2") == .double(100))
        #expect(try parse("25e-1") == .double(2.5))
        #expect(try parse("0.0") == .double(0))
        #expect(try parse("\"hi\"") == .string("hi"))
        #expect(try parse("\"\"") == .string(""))
    }

    @Test func integerLimits() throws {
        #expect(try parse("9223372036854775807") == .int(Int.max))
        #expect(try parse("-9223372036854775808") == .int(Int.min))
        #expect(try parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(try parse("-9223372036854775809") == .double(-9.223372036854775808e18))
        #expect(try parse("123456789012345678901234567890") == .double(1.2345678901234568e29))
        #expect(try parse("1e-400") == .double(0))
    }

    @Test func containers() throws {
        #expect(try parse("[]") == .array([]))
        #expect(try parse("{}") == .object(JSONObject()))
        #expect(try parse("[1,\"a\",null,[true],{}]") == .array([.int(1), .string("a"), .null, .array([.bool(true)]), .object(JSONObject())]))
        let value = try parse(#"{"b":1,"a":{"x":[1,2]},"c":null}"#)
        let object = try #require(value.objectValue)
        #expect(object.keys == ["b", "a", "c"])
        #expect(object["b"] == .int(1))
        #expect(object["a"]?.objectValue?["x"] == .array([.int(1), .int(2)]))
        #expect(object["c"]?.isNull == true)
        #expect(object["missing"] == nil)
    }

    @Test func whitespaceAroundEverything() throws {
        let value = try parse(" \t\r\n{ \"a\" : [ 1 , 2 ] , \"b\" : { } , \"c\" : [ ] }\n ")
        #expect(value.serialized == #"{"a":[1,2],"b":{},"c":[]}"#)
    }

    @Test func escapes() throws {
        #expect(try parse(#""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{08}\u{0C}\n\r\t"))
        #expect(try parse(#""a\u0041\u00e9\u20AC""#) == .string("aAé€"))
        #expect(try parse(#""\u0000""#) == .string("\u{0}"))
        #expect(try parse(#""\uD83D\uDE00""#) == .string("😀"))
        #expect(try parse(#""x\ud834\udd1ey""#) == .string("x𝄞y"))
        #expect(try parse(#""plain then \n escaped""#) == .string("plain then \n escaped"))
    }

    @Test func unicodeInInput() throws {
        #expect(try parse("\"héllo wörld €😀\"") == .string("héllo wörld €😀"))
        #expect(try parse("{\"ключ\":\"значение\"}").objectValue?["ключ"] == .string("значение"))
        // U+FFFF and U+10FFFF are valid scalars.
        #expect(try parse([0x22, 0xEF, 0xBF, 0xBF, 0x22]) == .string("\u{FFFF}"))
        #expect(try parse([0x22, 0xF4, 0x8F, 0xBF, 0xBF, 0x22]) == .string("\u{10FFFF}"))
    }

    private func parse(_ bytes: [UInt8]) throws(JSONError) -> JSONValue {
        try JSONValue.parse(bytes)
    }

    @Test func rawBufferEntryPoint() throws {
        let bytes = Array(#"[1,{"a":"b"}]"#.utf8)
        let value = try bytes.withUnsafeBytes { buffer in try JSONValue.parse(buffer) }
        #expect(value == .array([.int(1), .object(JSONObject([("a", .string("b"))]))]))
    }

    @Test func duplicateKeysLastWins() throws {
        let object = try #require(try parse(#"{"a":1,"b":2,"a":3}"#).objectValue)
        #expect(object["a"] == .int(3))
        #expect(object.count == 3)
        #expect(object.keys == ["a", "b", "a"])
    }

    @Test func nestingLimit() throws {
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        let value = try parse(ok)
        #expect(value.serialized == ok)
        let okObjects = String(repeating: "{\"k\":", count: 511) + "[]" + String(repeating: "}", count: 511)
        #expect(try parse(okObjects).serialized == okObjects)

        let tooDeep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(parseError(tooDeep) == JSONError(offset: 512, message: "nesting deeper than 512"))
        let huge = String(repeating: "[{\"a\":", count: 100_000)
        #expect(parseError(huge)?.message == "nesting deeper than 512")
    }

    @Test(arguments: [
        ("", 0, "unexpected end of input"),
        ("   ", 3, "unexpected end of input"),
        ("[1,2", 4, "unexpected end of input"),
        ("{\"a\":1", 6, "unexpected end of input"),
        ("{\"a\"", 4, "unexpected end of input"),
        ("[1,]", 3, "unexpected character ']'"),
        ("{\"a\":1,}", 7, "expected a string key"),
        ("[1 2]", 3, "expected ',' or ']'"),
        ("{\"a\":1 \"b\":2}", 7, "expected ',' or '}'"),
        ("{\"a\" 1}", 5, "expected ':' after an object key"),
        ("{a:1}", 1, "expected a string key"),
        ("1 2", 2, "unexpected data after the top-level value"),
        ("{} []", 3, "unexpected data after the top-level value"),
        ("// c\n1", 0, "unexpected character '/'"),
        ("[1]/* c */", 3, "unexpected data after the top-level value"),
        ("'a'", 0, "unexpected character '''"),
        ("tru", 3, "unexpected end of input"),
        ("trux", 3, "invalid literal (expected true)"),
        ("nul", 3, "unexpected end of input"),
        ("False", 0, "unexpected character 'F'"),
        ("NaN", 0, "unexpected character 'N'"),
        ("Infinity", 0, "unexpected character 'I'"),
        ("\u{FEFF}1", 0, "unexpected byte 0xEF"),
    ])
    func structuralErrors(text: String, offset: Int, message: String) {
        #expect(parseError(text) == JSONError(offset: offset, message: message))
    }

    @Test(arguments: [
        ("01", 1, "invalid number: leading zero"),
        ("-01", 2, "invalid number: leading zero"),
        ("+1", 0, "unexpected character '+'"),
        (".5", 0, "unexpected character '.'"),
        ("-", 1, "invalid number: expected a digit"),
        ("-a", 1, "invalid number: expected a digit"),
        ("1.", 2, "invalid number: expected a digit after '.'"),
        ("1.e5", 2, "invalid number: expected a digit after '.'"),
        ("1e", 2, "invalid number: expected a digit in the exponent"),
        ("1e+", 3, "invalid number: expected a digit in the exponent"),
        ("0x10", 1, "unexpected data after the top-level value"),
        ("1e400", 0, "number out of range"),
        ("-1e400", 0, "number out of range"),
        ("[1.5.2]", 4, "expected ',' or ']'"),
    ])
    func numberErrors(text: String, offset: Int, message: String) {
        #expect(parseError(text) == JSONError(offset: offset, message: message))
    }

    @Test(arguments: [
        (#""abc"#, 4, "unterminated string"),
        (#""abc\"#, 5, "unterminated string"),
        (#""a\n"#, 4, "unterminated string"),
        (#""\x""#, 2, "invalid escape sequence"),
        (#""\'""#, 2, "invalid escape sequence"),
        (#""\u12""#, 5, #"invalid \u escape: expected a hex digit"#),
        (#""\u12G4""#, 5, #"invalid \u escape: expected a hex digit"#),
        (#""\uD800""#, 1, #"lone high surrogate \uD800"#),
        (#""\uD800x""#, 1, #"lone high surrogate \uD800"#),
        (#""\uD800\n""#, 1, #"lone high surrogate \uD800"#),
        (#""\uD800\u0041""#, 1, #"lone high surrogate \uD800"#),
        (#""\uDBFF\uDBFF""#, 1, #"lone high surrogate \uDBFF"#),
        (#""\uDC00""#, 1, #"lone low surrogate \uDC00"#),
        (#""a\uDFFF\uD800""#, 2, #"lone low surrogate \uDFFF"#),
        ("\"tab\there\"", 4, "unescaped control character in string"),
        ("\"new\nline\"", 4, "unescaped control character in string"),
        ("\"\u{0}\"", 1, "unescaped control character in string"),
    ])
    func stringErrors(text: String, offset: Int, message: String) {
        #expect(parseError(text) == JSONError(offset: offset, message: message))
    }

    @Test(arguments: [
        ([0x22, 0x80, 0x22], 1),  // lone continuation byte
        ([0x22, 0xC0, 0xAF, 0x22], 1),  // overlong '/'
        ([0x22, 0xC1, 0xBF, 0x22], 1),  // overlong
        ([0x22, 0xE0, 0x80, 0xAF, 0x22], 2),  // overlong 3-byte
        ([0x22, 0xED, 0xA0, 0x80, 0x22], 2),  // encoded surrogate U+D800
        ([0x22, 0xF0, 0x80, 0x80, 0xAF, 0x22], 2),  // overlong 4-byte
        ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 2),  // above U+10FFFF
        ([0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], 1),  // invalid lead byte
        ([0x22, 0xFF, 0x22], 1),
        ([0x22, 0xC3, 0x22], 2),  // truncated sequence
        ([0x22, 0xE2, 0x82, 0x22], 3),
        ([0x22, 0xE2, 0x82], 3),  // truncated at end of input
        ([0x22, 0x5C, 0x6E, 0xC3, 0x28, 0x22], 4),  // invalid after an escape
    ] as [([UInt8], Int)])
    func invalidUTF8(bytes: [UInt8], offset: Int) {
        #expect(parseError(bytes) == JSONError(offset: offset, message: "invalid UTF-8"))
    }

    @Test func invalidUTF8OutsideStrings() {
        #expect(parseError([0xC3, 0xA9]) == JSONError(offset: 0, message: "unexpected byte 0xC3"))
        #expect(parseError([0x5B, 0x31, 0x2C, 0xFF, 0x5D]) == JSONError(offset: 3, message: "unexpected byte 0xFF"))
    }

    @Test func errorDescription() {
        let error = parseError("[1,]")
        #expect(error?.description == "invalid JSON at byte 3: unexpected character ']'")
    }

    @Test func accessors() throws {
        #expect(JSONValue.string("s").stringValue == "s")
        #expect(JSONValue.int(1).stringValue == nil)
        #expect(JSONValue.int(7).intValue == 7)
        #expect(JSONValue.double(7.0).intValue == 7)
        #expect(JSONValue.double(7.5).intValue == nil)
        #expect(JSONValue.double(1e300).intValue == nil)
        #expect(JSONValue.double(-0x1p63).intValue == Int.min)
        #expect(JSONValue.double(0x1p63).intValue == nil)
        #expect(JSONValue.double(.nan).intValue == nil)
        #expect(JSONValue.double(-.infinity).intValue == nil)
        #expect(JSONValue.double(-3.0).intValue == -3)
        #expect(JSONValue.string("7").intValue == nil)
        #expect(JSONValue.double(2.5).doubleValue == 2.5)
        #expect(JSONValue.int(3).doubleValue == 3.0)
        #expect(JSONValue.null.doubleValue == nil)
        #expect(JSONValue.bool(true).boolValue == true)
        #expect(JSONValue.int(1).boolValue == nil)
        #expect(JSONValue.array([.null]).arrayValue == [.null])
        #expect(JSONValue.object(JSONObject()).arrayValue == nil)
        #expect(JSONValue.object(JSONObject([("a", .null)])).objectValue?.count == 1)
        #expect(JSONValue.array([]).objectValue == nil)
        #expect(JSONValue.null.isNull)
        #expect(!JSONValue.bool(false).isNull)
        let names = [JSONValue.null, .bool(true), .int(1), .double(1), .string(""), .array([]), .object(JSONObject())].map(\.typeName)
        #expect(names == ["null", "bool", "number", "number", "string", "array", "object"])
    }
}
