import Testing

@testable import Wire

/// A published `http-response` is written to long-polling clients as is: nothing in it may
/// end the head early, frame the body, or make the client read part of it as a second response.
@Suite("Publish response rules")
struct PublishResponseRulesTests {
    typealias T = PublishTestSupport

    func responseError(_ response: String, items before: Int = 0) -> PublishError? {
        let good = #"{"channel":"c","formats":{"http-stream":{"content":"x"}}}"#
        let bad = #"{"channel":"c","formats":{"http-response":"# + response + "}}"
        return T.error(#"{"items":["# + (Array(repeating: good, count: before) + [bad]).joined(separator: ",") + "]}")
    }

    @Test(arguments: [
        (#"{"headers":{"X-A":"1\r\nSet-Cookie: evil=1"},"body":"x"}"#, #"field "X-A" has a control character (CR, LF, NUL …) in its value"#),
        (#"{"headers":{"X-A":"1\nX-B: 2"},"body":"x"}"#, #"field "X-A" has a control character (CR, LF, NUL …) in its value"#),
        (#"{"headers":{"X-A":"1\r"},"body":"x"}"#, #"field "X-A" has a control character (CR, LF, NUL …) in its value"#),
        (#"{"headers":{"X-A":"a\u0000b"},"body":"x"}"#, #"field "X-A" has a control character (CR, LF, NUL …) in its value"#),
        (#"{"headers":[["X-A\r\nX-B","1"]],"body":"x"}"#, #"field name "X-A\r\nX-B" is not a token"#),
        (#"{"headers":[["X A","1"]],"body":"x"}"#, #"field name "X A" is not a token"#),
        (#"{"headers":[["X-A:","1"]],"body":"x"}"#, #"field name "X-A:" is not a token"#),
        (#"{"headers":[["","1"]],"body":"x"}"#, #"field name "" is not a token"#),
    ])
    func headersThatWouldSplitTheResponse(_ response: String, _ detail: String) {
        #expect(responseError(response) == .invalidFormat("item 0: 'http-response' contains 'headers' with invalid value: \(detail)"))
    }

    @Test(arguments: [#""OK\r\nX-Injected: 1""#, #""OK\n""#, #""a\u0000""#])
    func reasonWithControlCharacters(_ reason: String) {
        #expect(responseError(#"{"reason":"# + reason + #","body":"x"}"#)
            == .invalidFormat("item 0: 'http-response' contains 'reason' with invalid value: control character (CR, LF, NUL …) in the reason"))
    }

    @Test(arguments: [0, 1, 100, 101, 199, 600, 999])
    func statusOutsideFinalResponses(_ code: Int) {
        #expect(responseError(#"{"code":\#(code),"body":"x"}"#)
            == .invalidFormat("item 0: 'http-response' contains 'code' with invalid value: status \(code) is not 200–599"))
    }

    @Test(arguments: [204, 304])
    func noBodyStatusesTakeNoBody(_ code: Int) throws {
        #expect(responseError(#"{"code":\#(code),"body":"x"}"#)
            == .invalidFormat("item 0: 'http-response' contains 'body' with invalid value: status \(code) has no body"))
        let empty = try T.item(#"{"channel":"c","formats":{"http-response":{"code":\#(code),"body":""}}}"#)
        #expect(empty.httpResponse?.code == code)
    }

    @Test func theFaultyItemIsNamedAndNothingIsPublished() {
        #expect(responseError(#"{"reason":"a\nb","body":"x"}"#, items: 2)
            == .invalidFormat("item 2: 'http-response' contains 'reason' with invalid value: control character (CR, LF, NUL …) in the reason"))
    }

    @Test func framingAndHopByHopHeadersAreDropped() throws {
        let item = try T.item(#"""
            {"channel":"c","formats":{"http-response":{"headers":[
                ["Content-Type","text/plain"],["Content-Length","999"],["Transfer-Encoding","chunked"],["Connection","close"],
                ["Keep-Alive","timeout=5"],["Upgrade","websocket"],["TE","trailers"],["Trailer","X-T"],
                ["Proxy-Authenticate","Basic"],["X-Kept","1"]],"body":"hello"}}}
            """#)
        #expect(item.httpResponse?.headers == HTTPHeaders([("Content-Type", "text/plain"), ("X-Kept", "1")]))
        #expect(item.httpResponse?.body == Array("hello".utf8))
    }

    @Test func tabsAndNonASCIIInValuesAreFieldContent() throws {
        let item = try T.item(#"{"channel":"c","formats":{"http-response":{"reason":"Très\tbien","headers":{"X-A":"é\tx"},"body":"x"}}}"#)
        #expect(item.httpResponse?.reason == "Très\tbien")
        #expect(item.httpResponse?.headers["X-A"] == "é\tx")
    }

    @Test func zeroMQItemsAreCheckedToo() {
        let value = try! JSONValue.parse(Array(#"{"channel":"c","formats":{"http-response":{"code":100,"body":"x"}}}"#.utf8))
        guard case .failure(let error) = PublishRequestParser.parseItem(value) else {
            Issue.record("a 100 response was accepted")
            return
        }
        #expect(error.message.contains("'http-response' contains 'code' with invalid value"))
    }
}
