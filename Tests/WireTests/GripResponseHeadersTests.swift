import Testing
@testable import Wire

@Suite("GRIP client response headers")
struct GripResponseHeadersTests {
    typealias T = GripTestSupport

    @Test func gripAndHopByHopFieldsAreStripped() throws {
        let instruction = try T.instruction([
            ("Grip-Hold", "stream"), ("Grip-Channel", "c"), ("grip-foo", "x"), ("GRIP-KEEP-ALIVE", "k"),
            ("Content-Type", "text/plain"), ("Connection", "keep-alive"), ("Keep-Alive", "timeout=5"),
            ("Transfer-Encoding", "chunked"), ("TE", "trailers"), ("Trailer", "X"), ("Upgrade", "h2c"),
            ("Proxy-Connection", "close"), ("Content-Length", "5"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"),
            ("X-Gripped", "kept"),
        ])
        #expect(instruction.response.headers == HTTPHeaders([
            ("Content-Type", "text/plain"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("X-Gripped", "kept"),
        ]))
    }

    @Test func exposeHeadersWhitelist() throws {
        let instruction = try T.instruction([
            ("Grip-Channel", "c"), ("X-A", "1"), ("X-B", "2"), ("X-C", "3"),
            ("Grip-Expose-Headers", "X-A, x-c"), ("Grip-Expose-Headers", "Content-Type"),
            ("Content-Type", "text/plain"),
        ])
        #expect(instruction.response.headers == HTTPHeaders([("X-A", "1"), ("X-C", "3"), ("Content-Type", "text/plain")]))
    }

    @Test func exposeHeadersNeverExposeGripOrHopByHop() throws {
        let instruction = try T.instruction([
            ("Grip-Channel", "c"), ("X-A", "1"), ("Content-Length", "1"),
            ("Grip-Expose-Headers", "Grip-Channel, X-A, Content-Length"),
        ])
        #expect(instruction.response.headers == HTTPHeaders([("X-A", "1")]))
    }

    @Test func emptyExposeFieldIsNoWhitelist() throws {
        let instruction = try T.instruction([("Grip-Channel", "c"), ("X-A", "1"), ("Grip-Expose-Headers", "")])
        #expect(instruction.response.headers == HTTPHeaders([("X-A", "1")]))
    }

    @Test func exposeListOfOnlyEmptyElementsHidesEverything() throws {
        // "," lists one empty name: the whitelist is on and matches nothing (as in Pushpin).
        let instruction = try T.instruction([("Grip-Channel", "c"), ("X-A", "1"), ("Grip-Expose-Headers", ",")])
        #expect(instruction.response.headers.isEmpty)
    }

    @Test func isGripFieldMatchesPrefixIgnoringCase() {
        #expect(GripResponseHeaders.isGripField("Grip-"))
        #expect(GripResponseHeaders.isGripField("gRiP-Anything"))
        #expect(!GripResponseHeaders.isGripField("Grip"))
        #expect(!GripResponseHeaders.isGripField("Gripe"))
        #expect(!GripResponseHeaders.isGripField("X-Grip-Hold"))
    }
}
