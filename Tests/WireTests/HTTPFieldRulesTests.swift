import Testing

@testable import Wire

@Suite struct HTTPFieldRulesTests {
    @Test(arguments: ["X-A", "content-type", "!#$%&'*+-.^_`|~09azAZ"])
    func tokens(_ name: String) {
        #expect(HTTPFieldRules.isToken(name))
    }

    @Test(arguments: ["", "X A", "X:A", "X\r\nA", "X\u{0}", "é", "(a)", "a/b", "\"a\"", "a\t"])
    func notTokens(_ name: String) {
        #expect(!HTTPFieldRules.isToken(name))
    }

    @Test(arguments: ["", "plain", "with\ttab", "é ü", " spaces "])
    func values(_ value: String) {
        #expect(HTTPFieldRules.isFieldValue(value))
    }

    @Test(arguments: ["a\rb", "a\nb", "a\r\nb", "\u{0}", "a\u{7F}", "\u{1B}[31m"])
    func notValues(_ value: String) {
        #expect(!HTTPFieldRules.isFieldValue(value))
    }

    @Test func responseProblemsInOrder() {
        let good = HTTPHeaders([("X-A", "1")])
        #expect(HTTPFieldRules.responseProblem(status: 200, reason: "OK", headers: good, hasBody: true) == nil)
        #expect(HTTPFieldRules.responseProblem(status: 204, reason: "", headers: good, hasBody: false) == nil)
        #expect(HTTPFieldRules.responseProblem(status: 199, reason: "\n", headers: good, hasBody: false)?.field == "code")
        #expect(HTTPFieldRules.responseProblem(status: 200, reason: "\n", headers: good, hasBody: false)?.field == "reason")
        #expect(HTTPFieldRules.responseProblem(status: 200, reason: "", headers: ["X\n": "1"], hasBody: false)?.field == "headers")
        #expect(HTTPFieldRules.responseProblem(status: 304, reason: "", headers: good, hasBody: true)?.field == "body")
    }

    @Test func quotingEscapesControlCharactersAndStaysShort() {
        #expect(HTTPFieldRules.quoted("a\r\n\u{0}\"\\") == #""a\r\n\x00\"\\""#)
        #expect(HTTPFieldRules.quoted(String(repeating: "x", count: 100)) == "\"" + String(repeating: "x", count: 64) + "…\"")
    }
}
