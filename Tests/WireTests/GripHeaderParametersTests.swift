import Testing
@testable import Wire

@Suite("GRIP header parameters")
struct GripHeaderParametersTests {
    typealias P = HeaderParameterParser

    @Test(arguments: [
        ("a", ["a"]),
        ("a, b ,c", ["a", "b", "c"]),
        ("a,,b", ["a", "", "b"]),
        (",a", ["", "a"]),
        ("a,", ["a"]),
        ("", []),
        ("  ", [""]),
        ("a; filter=\"x,y\", b", ["a; filter=\"x,y\"", "b"]),
        ("a; p=\"q\\\",r\", b", ["a; p=\"q\\\",r\"", "b"]),
        ("a; p=\"open, b", ["a; p=\"open, b"]),
        ("a; p=\"esc\\", ["a; p=\"esc\\"]),
        ("x\t,\ty", ["x", "y"]),
    ] as [(String, [String])])
    func listSplitting(_ value: String, _ expected: [String]) {
        #expect(P.splitList(value) == expected)
    }

    @Test func listElementsSpanRepeatedFields() {
        let headers: HTTPHeaders = HTTPHeaders([("Grip-Channel", "a, b"), ("X", "no"), ("grip-channel", "c")])
        #expect(P.listElements(headers, "Grip-Channel") == ["a", "b", "c"])
    }

    @Test func rawFirstKeepsTextBeforeFirstSemicolon() throws {
        let parameters = try #require(P.parse("  chan=1 ; prev-id=7; filter=skip-self;filter=build-id", rawFirst: true))
        #expect(parameters.items == [
            HeaderParameter("chan=1"), HeaderParameter("prev-id", "7"),
            HeaderParameter("filter", "skip-self"), HeaderParameter("filter", "build-id"),
        ])
    }

    @Test func rawFirstIgnoresQuotes() throws {
        // Pushpin splits the first parameter at the first ';' even inside quotes.
        let parameters = try #require(P.parse("\"a;b\"; timeout=1", rawFirst: true))
        #expect(parameters.items == [HeaderParameter("\"a"), HeaderParameter("b\""), HeaderParameter("timeout", "1")])
    }

    @Test func emptyElementStillHasAFirstParameter() throws {
        #expect(try #require(P.parse("", rawFirst: true)).items == [HeaderParameter("")])
        #expect(try #require(P.parse("", rawFirst: false)).isEmpty)
        #expect(try #require(P.parse("; prev-id=1", rawFirst: true)).first == HeaderParameter(""))
    }

    @Test func quotedValues() throws {
        let parameters = try #require(P.parse("k=\"a;b,c\\\"d\\\\\" junk ; n = v ; bare", rawFirst: false))
        #expect(parameters.items == [HeaderParameter("k", "a;b,c\"d\\"), HeaderParameter("n", "v"), HeaderParameter("bare")])
    }

    @Test func quoteMustFollowEqualsDirectly() throws {
        let parameters = try #require(P.parse("timeout= \"1\"", rawFirst: false))
        #expect(parameters.items == [HeaderParameter("timeout", "\"1\"")])
    }

    @Test func emptyValuesAndSegments() throws {
        let parameters = try #require(P.parse("x; a=; ;b", rawFirst: true))
        #expect(parameters.items == [HeaderParameter("x"), HeaderParameter("a", ""), HeaderParameter(""), HeaderParameter("b")])
        #expect(try #require(P.parse("=v", rawFirst: false)).items == [HeaderParameter("", "v")])
        #expect(try #require(P.parse("k=", rawFirst: false)).items == [HeaderParameter("k", "")])
        #expect(try #require(P.parse("x;", rawFirst: true)).items == [HeaderParameter("x")])
    }

    @Test(arguments: ["a; p=\"open", "a; p=\"esc\\", "k=\"x"])
    func unterminatedQuotedValueRejectsElement(_ element: String) {
        #expect(P.parse(element, rawFirst: element.hasPrefix("a")) == nil)
    }

    @Test func lookupsIgnoreNameCase() throws {
        let parameters = try #require(P.parse("c; Prev-ID=3; FORMAT=raw", rawFirst: true))
        #expect(parameters.value("prev-id") == "3")
        #expect(parameters.contains("format"))
        #expect(parameters.value("missing") == nil)
    }

    @Test func nonASCIISurvives() throws {
        let parameters = try #require(P.parse("caf\u{E9}; user=\"\u{1F600}\"", rawFirst: true))
        #expect(parameters.first?.name == "caf\u{E9}")
        #expect(parameters.value("user") == "\u{1F600}")
    }
}

@Suite("Pushpin-compatible scalars")
struct GripPushpinScalarTests {
    @Test(arguments: [
        ("6", 6), ("+6", 6), ("-1", -1), (" 7 ", 7), ("0", 0), ("2147483647", 2_147_483_647),
        ("-2147483648", -2_147_483_648),
    ] as [(String, Int)])
    func headerIntegers(_ text: String, _ value: Int) {
        #expect(PushpinInteger.parseHeaderInt(text) == value)
    }

    @Test(arguments: ["", "abc", "6.5", "0x10", "99999999999", "2147483648", "+", "1 2", "٣"])
    func badHeaderIntegers(_ text: String) {
        #expect(PushpinInteger.parseHeaderInt(text) == nil)
    }

    @Test(arguments: [
        (JSONValue.int(404), 404), (.double(200.5), 201), (.double(999.4), 999), (.double(999.5), 1000),
        (.double(-0.5), 0), (.double(-0.4), 0), (.double(-1.5), -1), (.double(1e20), 0), (.double(-1e20), 0),
        (.int(4_294_967_496), 200), (.string("404"), 404), (.string(" 203 "), 203), (.string("abc"), 0),
        (.string("-3"), -3), (.string("4e2"), 0), (.bool(true), 1), (.bool(false), 0),
    ] as [(JSONValue, Int)])
    func jsonIntegerCoercion(_ value: JSONValue, _ expected: Int) {
        #expect(PushpinInteger.isConvertible(value))
        #expect(PushpinInteger.coerce(value) == expected)
    }

    @Test(arguments: [JSONValue.null, .array([]), .object(JSONObject())])
    func jsonIntegerWrongTypes(_ value: JSONValue) {
        #expect(!PushpinInteger.isConvertible(value))
    }

    @Test(arguments: [
        (200, "OK"), (201, "Created"), (203, "Non-Authoritative Information"), (226, "IM Used"),
        (306, "Reserved"), (413, "Request Entity Too Large"), (418, "Undefined Reason"),
        (429, "Too Many Requests"), (509, "Undefined Reason"), (511, "Network Authentication Required"),
        (299, "Undefined Reason"), (0, "Undefined Reason"), (102, "Processing"),
    ] as [(Int, String)])
    func reasonPhrases(_ code: Int, _ phrase: String) {
        #expect(PushpinReasonPhrase.phrase(for: code) == phrase)
    }

    @Test func utf16KeyOrder() {
        #expect(PushpinFields.utf16Precedes("B", "b"))
        #expect(PushpinFields.utf16Precedes("z", "\u{E9}"))
        #expect(PushpinFields.utf16Precedes("\u{FFFD}", "\u{1F600}") == false)
    }
}
