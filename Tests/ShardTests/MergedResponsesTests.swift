import Hub
@testable import Shard
import Testing
import Wire

@Suite struct MergedResponsesTests {
    static func delivery(headers: [(String, String)], body: String) -> PublishMessage.ResponseDelivery {
        PublishMessage.ResponseDelivery(
            status: 200, reason: "OK", headers: headers.map { (name: $0.0, value: $0.1) },
            body: SharedBytes(Array(body.utf8)), encoded: SharedBytes([]))
    }

    @Test func holdHeadersAreMergedUnderTheItemsAndEncodedOnce() {
        var merged = MergedResponses()
        let response = Self.delivery(headers: [("Content-Type", "application/json"), ("X-Item", "1")], body: "{}")
        let hold = HTTPHeaders([("content-type", "text/plain"), ("X-Hold", "h")])
        let first = merged.bytes(for: hold, response)
        let text = String(decoding: first.bytes, as: UTF8.self)
        #expect(text == "HTTP/1.1 200 OK\r\nX-Hold: h\r\nContent-Type: application/json\r\nX-Item: 1\r\nContent-Length: 2\r\n\r\n{}")
        #expect(merged.bytes(for: hold, response) === first)  // same header set: same bytes
        #expect(merged.bytes(for: HTTPHeaders([("X-Other", "o")]), response) !== first)
    }
}
