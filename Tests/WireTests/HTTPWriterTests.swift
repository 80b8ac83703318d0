import SeededRandom
import Testing
import Wire

@Suite("HTTP writer")
struct HTTPWriterTests {
    typealias T = HTTPTestSupport

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func requestHeadBytes() {
        let head = HTTPRequestHead(
            method: "POST", target: "/p?q=1", version: .http11,
            headers: HTTPHeaders([("Host", "h"), ("Content-Length", "3")]))
        var out: [UInt8] = T.bytes("prefix|")
        HTTPWriter.appendRequestHead(head, to: &out)
        #expect(Self.text(out) == "prefix|POST /p?q=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n")
    }

    @Test func responseHeadBytes() {
        var out: [UInt8] = []
        HTTPWriter.appendResponseHead(
            HTTPResponseHead(version: .http10, status: 404, reason: "Not Found", headers: ["X": "y"]), to: &out)
        #expect(Self.text(out) == "HTTP/1.0 404 Not Found\r\nX: y\r\n\r\n")
        out.removeAll()
        HTTPWriter.appendResponseHead(HTTPResponseHead(version: .http11, status: 204, reason: "", headers: HTTPHeaders()), to: &out)
        #expect(Self.text(out) == "HTTP/1.1 204 \r\n\r\n")
    }

    @Test func streamHeadDropsContentLengthAndFramesTheBody() {
        let headers = HTTPHeaders([("Content-Type", "text/plain"), ("content-length", "9"), ("X-Caf\u{E9}", "na\u{EF}ve"), ("Content-Length", "9")])
        var out: [UInt8] = T.bytes("prefix|")
        HTTPWriter.appendStreamHead(status: 200, reason: "OK", headers: headers, chunked: true, to: &out)
        #expect(Self.text(out) == "prefix|HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Caf\u{E9}: na\u{EF}ve\r\nTransfer-Encoding: chunked\r\n\r\n")
        out.removeAll()
        HTTPWriter.appendStreamHead(status: 202, reason: "", headers: HTTPHeaders(), chunked: false, to: &out)
        #expect(Self.text(out) == "HTTP/1.1 202 \r\nConnection: close\r\n\r\n")
    }

    static let requestHeads: [HTTPRequestHead] = [
        HTTPRequestHead(method: "GET", target: "/", version: .http11, headers: HTTPHeaders()),
        HTTPRequestHead(
            method: "POST", target: "http://example.com/a?b=c", version: .http10,
            headers: HTTPHeaders([("Host", "example.com"), ("X-Dup", "1"), ("x-dup", "2"), ("Empty", "")])),
        HTTPRequestHead(
            method: "PURGE", target: "/caf\u{E9}?q=%20", version: .http11,
            headers: HTTPHeaders([("Accept", "text/html, */*;q=0.8"), ("Cookie", "a=b; c=d"), ("UTF", "na\u{EF}ve")])),
    ]

    @Test(arguments: requestHeads)
    func requestRoundTrip(_ head: HTTPRequestHead) throws {
        var out: [UInt8] = []
        HTTPWriter.appendRequestHead(head, to: &out)
        let (parsed, consumed) = try #require(T.head(T.parseRequest(out)))
        #expect(parsed == head)
        #expect(consumed == out.count)
    }

    static let responseHeads: [HTTPResponseHead] = [
        HTTPResponseHead(version: .http11, status: 200, reason: "OK", headers: ["Content-Length": "0"]),
        HTTPResponseHead(version: .http10, status: 502, reason: "Bad Gateway", headers: HTTPHeaders()),
        HTTPResponseHead(version: .http11, status: 299, reason: "", headers: HTTPHeaders([("A", "1"), ("a", "2")])),
        HTTPResponseHead(version: .http11, status: 101, reason: "Switching Protocols",
                         headers: HTTPHeaders([("Upgrade", "websocket"), ("Connection", "Upgrade")])),
    ]

    @Test(arguments: responseHeads)
    func responseRoundTrip(_ head: HTTPResponseHead) throws {
        var out: [UInt8] = []
        HTTPWriter.appendResponseHead(head, to: &out)
        let (parsed, consumed) = try #require(T.head(T.parseResponse(out)))
        #expect(parsed == head)
        #expect(consumed == out.count)
    }

    @Test func chunkFraming() {
        func chunk(_ count: Int) -> String {
            var out: [UInt8] = []
            let data = [UInt8](repeating: 0x61, count: count)
            data.withUnsafeBytes { HTTPWriter.appendChunk($0, to: &out) }
            return Self.text(out)
        }
        #expect(chunk(0) == "")
        #expect(chunk(1) == "1\r\na\r\n")
        #expect(chunk(15) == "f\r\n" + String(repeating: "a", count: 15) + "\r\n")
        #expect(chunk(16).hasPrefix("10\r\n"))
        #expect(chunk(255).hasPrefix("ff\r\n"))
        #expect(chunk(4096).hasPrefix("1000\r\n"))
        #expect(chunk(65535).hasPrefix("ffff\r\n"))
        var last: [UInt8] = []
        HTTPWriter.appendLastChunk(to: &last)
        #expect(Self.text(last) == "0\r\n\r\n")
    }

    @Test func chunkedRoundTrip() {
        var random = SeededRandom(seed: 7)
        var original: [UInt8] = []
        var wire: [UInt8] = []
        for _ in 0..<50 {
            let piece = (0..<random.below(300)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            original += piece
            piece.withUnsafeBytes { HTTPWriter.appendChunk($0, to: &wire) }
        }
        HTTPWriter.appendLastChunk(to: &wire)
        let decoded = T.decode(.chunked, pieces: [wire])
        #expect(decoded.error == nil)
        #expect(decoded.complete)
        #expect(decoded.consumed == wire.count)
        #expect(decoded.body == original)
    }

    @Test func simpleResponseThatCloses() throws {
        let bytes = HTTPWriter.simpleResponse(status: 404, reason: "Not Found", body: "no route\n", close: true)
        #expect(Self.text(bytes) == "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: 9\r\nConnection: close\r\n\r\nno route\n")
        let (head, consumed) = try #require(T.head(T.parseResponse(bytes)))
        #expect(!head.keepAlive)
        #expect(try head.bodyFraming(requestMethod: "GET") == .contentLength(9))
        #expect(Array(bytes[consumed...]) == T.bytes("no route\n"))
    }

    @Test func simpleResponseThatStaysOpen() throws {
        let v11 = HTTPWriter.simpleResponse(status: 200, reason: "OK", body: "", close: false)
        #expect(Self.text(v11) == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 0\r\n\r\n")
        let v10 = HTTPWriter.simpleResponse(status: 200, reason: "OK", body: "ü", version: .http10, close: false)
        let head = try #require(T.head(T.parseResponse(v10))).head
        #expect(head.keepAlive)
        #expect(head.headers["Content-Length"] == "2")
    }

    @Test func simpleResponseExtraHeaders() throws {
        let bytes = HTTPWriter.simpleResponse(
            status: 503, reason: "Service Unavailable", body: "{}", close: false,
            extraHeaders: HTTPHeaders([("Content-Type", "application/json"), ("Retry-After", "5")]))
        let head = try #require(T.head(T.parseResponse(bytes))).head
        #expect(head.headers.values("Content-Type") == ["application/json"])
        #expect(head.headers["Retry-After"] == "5")
        #expect(head.headers["Content-Length"] == "2")
    }

    @Test func standardReasons() {
        #expect(HTTPWriter.standardReason(for: 200) == "OK")
        #expect(HTTPWriter.standardReason(for: 400) == "Bad Request")
        #expect(HTTPWriter.standardReason(for: 431) == "Request Header Fields Too Large")
        #expect(HTTPWriter.standardReason(for: 502) == "Bad Gateway")
        #expect(HTTPWriter.standardReason(for: 505) == "HTTP Version Not Supported")
        #expect(HTTPWriter.standardReason(for: 799) == "")
        for error in [HTTPParseError.headTooLarge, .requestLineTooLong, .malformedHeader, .unsupportedVersion, .unsupportedTransferEncoding] {
            #expect(!HTTPWriter.standardReason(for: error.status).isEmpty)
        }
    }
}
