import Testing
import Wire

@testable import Shard

@Suite struct TestHandlerTests {
    func instruction(_ answer: TestHandler.Answer) -> GripInstruction? {
        if case .instruction(let instruction) = answer { return instruction }
        return nil
    }

    @Test(arguments: ["/", ""])
    func rootAnswersTheWelcomePage(path: String) {
        guard case .response(let status, let body) = TestHandler.answer(method: "GET", path: path, query: "", subscriptionMax: 10) else {
            Issue.record("expected a plain response")
            return
        }
        #expect(status == 200)
        #expect(body == TestHandler.welcome)
        #expect(body.hasPrefix("Hello from pushpind!"))
    }

    @Test func theWelcomePageShowsRunnableCommands() {
        #expect(TestHandler.welcome.contains("curl http://localhost:7999/stream"))
        #expect(TestHandler.welcome.contains(#"{"items":[{"channel":"test","formats":{"http-stream":{"content":"hello\n"}}}]}"#))
        #expect(TestHandler.welcome.contains("http://localhost:5561/publish/"))
        #expect(TestHandler.welcome.hasSuffix("\n"))
    }

    @Test(arguments: ["/nope", "/stream/", "/Stream", "//", "/response/x"])
    func otherPathsAre404(path: String) {
        guard case .response(let status, let body) = TestHandler.answer(method: "GET", path: path, query: "", subscriptionMax: 10) else {
            Issue.record("expected a plain response")
            return
        }
        #expect(status == 404)
        #expect(body == "no such test resource\n")
    }

    @Test func theMethodDoesNotMatter() {
        for method in ["POST", "DELETE", "HEAD"] {
            #expect(instruction(TestHandler.answer(method: method, path: "/stream", query: "", subscriptionMax: 10))?.hold == .stream)
        }
    }

    @Test func streamHoldsOnTestByDefault() {
        guard let held = instruction(TestHandler.answer(method: "GET", path: "/stream", query: "", subscriptionMax: 10)) else {
            Issue.record("expected an instruction")
            return
        }
        #expect(held.hold == .stream)
        #expect(held.channels.map(\.name) == ["test"])
        #expect(held.channels.allSatisfy { $0.prevID == nil && $0.filters.isEmpty })
        #expect(held.response.status == 200 && held.response.reason == "OK")
        #expect(held.response.headers["Content-Type"] == "text/plain")
        #expect(held.response.body == Array("[stream opened]\n".utf8))
    }

    @Test func responseHoldsALongPoll() {
        guard let held = instruction(TestHandler.answer(method: "GET", path: "/response", query: "channel=a", subscriptionMax: 10)) else {
            Issue.record("expected an instruction")
            return
        }
        #expect(held.hold == .response)
        #expect(held.channels.map(\.name) == ["a"])
        #expect(held.response.body == Array("nothing for now\n".utf8))
    }

    @Test(arguments: [
        ("channel=a&channel=b", ["a", "b"]),
        ("x=1&channel=a&y=&channel=b", ["a", "b"]),
        ("channel=", ["test"]),
        ("channel", ["test"]),
        ("channel=&channel=c", ["c"]),
        ("chan=a", ["test"]),
        ("channel=a+b", ["a b"]),
        ("channel=caf%C3%A9", ["café"]),
        ("chann%65l=x", ["x"]),
        ("&&channel=x&&", ["x"]),
        ("channel=x=y", ["x=y"]),
    ])
    func channelsComeFromTheQuery(query: String, expected: [String]) {
        let held = instruction(TestHandler.answer(method: "GET", path: "/stream", query: query, subscriptionMax: 10))
        #expect(held?.channels.map(\.name) == expected)
    }

    @Test func channelsAreCappedAtTheSubscriptionLimit() {
        let query = (0..<5).map { "channel=c\($0)" }.joined(separator: "&")
        let held = instruction(TestHandler.answer(method: "GET", path: "/stream", query: query, subscriptionMax: 3))
        #expect(held?.channels.map(\.name) == ["c0", "c1", "c2"])
        let none = instruction(TestHandler.answer(method: "GET", path: "/stream", query: query, subscriptionMax: 0))
        #expect(none?.channels.isEmpty == true)
    }
}

@Suite struct QueryStringTests {
    @Test(arguments: [
        ("", ""),
        ("plain", "plain"),
        ("a+b", "a b"),
        ("a%20b", "a b"),
        ("%2B", "+"),
        ("%2b%2F", "+/"),
        ("100%", "100%"),
        ("%4", "%4"),
        ("%zz", "%zz"),
        ("%%41", "%A"),
        ("%C3%A9", "é"),
        ("%FF", "\u{FFFD}"),
        ("é", "é"),
        ("%00", "\u{0}"),
    ])
    func decode(encoded: String, decoded: String) {
        #expect(QueryString.decode(encoded[...]) == decoded)
    }

    /// `%` must be followed by two hex digits; `UInt8(_:radix:)` also accepts a sign.
    /// (`+` still means a space, as everywhere in form encoding.)
    @Test(arguments: [("%+5", "% 5"), ("%-0", "%-0")])
    func aSignIsNotAHexDigit(encoded: String, decoded: String) {
        #expect(QueryString.decode(encoded[...]) == decoded)
    }

    @Test func valuesInOrderWithMissingAndEmptyValues() {
        #expect(QueryString.values(of: "a", in: "a=1&b=2&a=&a&a=3") == ["1", "", "", "3"])
        #expect(QueryString.values(of: "a", in: "") == [])
        #expect(QueryString.values(of: "a", in: "A=1&ab=2&=a") == [])
        #expect(QueryString.values(of: "a b", in: "a+b=1&a%20b=2") == ["1", "2"])
        #expect(QueryString.values(of: "", in: "=x&y") == ["x"])
    }
}
