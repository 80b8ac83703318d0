import Testing
import Wire

@Suite("HTTP request parser")
struct HTTPRequestParserTests {
    typealias T = HTTPTestSupport

    @Test func simpleGET() throws {
        let text = "GET /index.html?x=1 HTTP/1.1\r\nHost: Example.COM:8080\r\nUser-Agent: test/1.0\r\n\r\n"
        let (head, consumed) = try #require(T.head(T.parseRequest(text)))
        #expect(consumed == text.utf8.count)
        #expect(head.method == "GET")
        #expect(head.target == "/index.html?x=1")
        #expect(head.version == .http11)
        #expect(head.headers.count == 2)
        #expect(head.headers["host"] == "Example.COM:8080")
        #expect(head.headers["USER-AGENT"] == "test/1.0")
        #expect(head.path == "/index.html")
        #expect(head.host == "example.com")
        #expect(head.keepAlive)
        #expect(!head.expectsContinue)
        #expect(!head.isWebSocketUpgrade)
        #expect(try head.bodyFraming() == .none)
    }

    @Test func requestWithoutHeaders() throws {
        let (head, consumed) = try #require(T.head(T.parseRequest("OPTIONS * HTTP/1.0\r\n\r\n")))
        #expect(consumed == 22)
        #expect(head.method == "OPTIONS")
        #expect(head.target == "*")
        #expect(head.path == "*")
        #expect(head.version == .http10)
        #expect(head.headers.isEmpty)
        #expect(head.host == nil)
    }

    @Test func duplicateHeadersKeepOrderAndSpelling() throws {
        let text = "GET / HTTP/1.1\r\nHost: a\r\nAccept: text/html\r\nX-Tag: one\r\n"
            + "accept: application/json\r\nx-tag: two\r\nX-TAG: three\r\n\r\n"
        let (head, _) = try #require(T.head(T.parseRequest(text)))
        #expect(head.headers.count == 6)
        #expect(head.headers["ACCEPT"] == "text/html")
        #expect(head.headers.values("Accept") == ["text/html", "application/json"])
        #expect(head.headers.values("x-tag") == ["one", "two", "three"])
        #expect(head.headers.values("Missing") == [])
        #expect(head.headers.contains("x-TaG"))
        #expect(!head.headers.contains("X-Ta"))
        let names = head.headers.map(\.name)
        #expect(names == ["Host", "Accept", "X-Tag", "accept", "x-tag", "X-TAG"])
    }

    @Test func valuesAreTrimmedOfOptionalWhitespace() throws {
        let text = "GET / HTTP/1.1\r\nA:   spaced  out \t \r\nB:\r\nC:\t\r\nD:x\r\nE: é ü\r\n\r\n"
        let (head, _) = try #require(T.head(T.parseRequest(text)))
        #expect(head.headers["A"] == "spaced  out")
        #expect(head.headers["B"] == "")
        #expect(head.headers["C"] == "")
        #expect(head.headers["D"] == "x")
        #expect(head.headers["E"] == "é ü")
    }

    @Test func invalidUTF8InValueIsRepairedNotRejected() throws {
        var input = T.bytes("GET / HTTP/1.1\r\nX: caf")
        input.append(0xE9)   // Latin-1 é: legacy obs-text
        input += T.bytes("\r\n\r\n")
        let (head, _) = try #require(T.head(T.parseRequest(input)))
        #expect(head.headers["X"] == "caf\u{FFFD}")
    }

    @Test func utf8TargetIsKeptAndInvalidUTF8TargetRejected() throws {
        let (head, _) = try #require(T.head(T.parseRequest("GET /caf\u{E9} HTTP/1.1\r\n\r\n")))
        #expect(head.target == "/caf\u{E9}")
        var bad = T.bytes("GET /caf")
        bad.append(0xE9)
        bad += T.bytes(" HTTP/1.1\r\n\r\n")
        #expect(T.error(T.parseRequest(bad)) == .malformedStartLine)
    }

    struct KeepAliveCase: Sendable, CustomTestStringConvertible {
        let version: String
        let connection: String?
        let keepAlive: Bool
        var testDescription: String { "\(version) Connection: \(connection ?? "-") → \(keepAlive)" }
    }

    @Test(arguments: [
        KeepAliveCase(version: "HTTP/1.1", connection: nil, keepAlive: true),
        KeepAliveCase(version: "HTTP/1.1", connection: "close", keepAlive: false),
        KeepAliveCase(version: "HTTP/1.1", connection: "Close", keepAlive: false),
        KeepAliveCase(version: "HTTP/1.1", connection: "keep-alive, close", keepAlive: false),
        KeepAliveCase(version: "HTTP/1.1", connection: "Upgrade", keepAlive: true),
        KeepAliveCase(version: "HTTP/1.1", connection: "closed", keepAlive: true),
        KeepAliveCase(version: "HTTP/1.0", connection: nil, keepAlive: false),
        KeepAliveCase(version: "HTTP/1.0", connection: "keep-alive", keepAlive: true),
        KeepAliveCase(version: "HTTP/1.0", connection: "Keep-Alive", keepAlive: true),
        KeepAliveCase(version: "HTTP/1.0", connection: "foo ,  KEEP-ALIVE ", keepAlive: true),
        KeepAliveCase(version: "HTTP/1.0", connection: "keep-alive, close", keepAlive: false),
        KeepAliveCase(version: "HTTP/1.0", connection: "close", keepAlive: false),
    ])
    func keepAliveSemantics(_ c: KeepAliveCase) throws {
        var text = "GET / \(c.version)\r\nHost: h\r\n"
        if let connection = c.connection { text += "Connection: \(connection)\r\n" }
        text += "\r\n"
        let (head, _) = try #require(T.head(T.parseRequest(text)))
        #expect(head.keepAlive == c.keepAlive)
    }

    @Test func keepAliveSeesTokensAcrossRepeatedConnectionFields() throws {
        let text = "GET / HTTP/1.1\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n"
        let (head, _) = try #require(T.head(T.parseRequest(text)))
        #expect(!head.keepAlive)
    }

    @Test func pipelinedRequestsInOneBuffer() throws {
        let buffer = T.bytes(
            "GET /one HTTP/1.1\r\nHost: h\r\n\r\n"
                + "POST /two HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
                + "\r\nGET /three HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
                + "GET /fou")
        var parser = HTTPRequestParser()
        var offset = 0
        var seen: [(String, String)] = []
        while offset < buffer.count {
            let rest = Array(buffer[offset...])
            let result = rest.withUnsafeBytes { parser.parse($0) }
            guard case .complete(let head, let consumed) = result else {
                #expect(T.isIncomplete(result))
                break
            }
            parser.reset()
            offset += consumed
            var decoder = BodyDecoder(framing: try head.bodyFraming())
            var body: [UInt8] = []
            let used = try T.feed(&decoder, Array(buffer[offset...])) { body.append(contentsOf: $0) }
            #expect(decoder.isComplete)
            offset += used
            seen.append((head.path, String(decoding: body, as: UTF8.self)))
        }
        #expect(seen.map(\.0) == ["/one", "/two", "/three"])
        #expect(seen.map(\.1) == ["", "hello", ""])
        #expect(Array(buffer[offset...]) == T.bytes("GET /fou"))
    }

    @Test func emptyLinesBeforeTheRequestLineAreSkipped() throws {
        let text = "\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"
        let (head, consumed) = try #require(T.head(T.parseRequest(text)))
        #expect(head.method == "GET")
        #expect(consumed == text.utf8.count)
        #expect(T.isIncomplete(T.parseRequest("\r\n")))
        #expect(T.isIncomplete(T.parseRequest("\r\n\r")))
        #expect(T.isIncomplete(T.parseRequest("\r\n\r\n")))
        #expect(T.error(T.parseRequest("\r\rGET / HTTP/1.1\r\n\r\n")) == .malformedStartLine)
    }

    static let splitSamples: [HTTPSample] = [
        "GET / HTTP/1.1\r\n\r\n",
        HTTPSample("GET /a/b?c=d HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\nX-Long: \(String(repeating: "v", count: 40))\r\n\r\n"),
        "\r\nPOST /submit HTTP/1.0\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nabcGET / HTTP/1.1\r\n\r\n",
        "GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    ]

    @Test(arguments: splitSamples)
    func everySplitPointGivesTheSameHead(_ sample: HTTPSample) throws {
        let input = sample.bytes
        let whole = T.parseRequest(input)
        let (_, consumed) = try #require(T.head(whole))
        var parser = HTTPRequestParser()
        for length in 0...input.count {
            let result = Array(input[..<length]).withUnsafeBytes { parser.parse($0) }
            if length < consumed {
                #expect(T.isIncomplete(result), "prefix of \(length) bytes")
            } else {
                #expect(result == whole, "prefix of \(length) bytes")
            }
        }
    }

    @Test func shorterBufferRestartsTheScan() throws {
        let full = T.bytes("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        var parser = HTTPRequestParser()
        _ = Array(full[..<20]).withUnsafeBytes { parser.parse($0) }
        // Misuse (a different, shorter buffer) must not crash or mis-parse.
        let other = T.bytes("PUT /x HTTP/1.1\r\n\r\n")
        let result = other.withUnsafeBytes { parser.parse($0) }
        let (head, _) = try #require(T.head(result))
        #expect(head.method == "PUT")
    }

    struct MalformedCase: Sendable, CustomTestStringConvertible {
        let input: [UInt8]
        let error: HTTPParseError
        init(_ text: String, _ error: HTTPParseError) {
            input = Array(text.utf8)
            self.error = error
        }
        init(bytes: [UInt8], _ error: HTTPParseError) {
            input = bytes
            self.error = error
        }
        var testDescription: String { "\(String(decoding: input, as: UTF8.self).debugDescription) → \(error)" }
    }

    @Test(arguments: [
        MalformedCase("GET  / HTTP/1.1\r\n\r\n", .malformedStartLine),
        MalformedCase("GET /  HTTP/1.1\r\n\r\n", .malformedStartLine),
        MalformedCase("GET / HTTP/1.1 \r\n\r\n", .malformedStartLine),
        MalformedCase(" GET / HTTP/1.1\r\n\r\n", .malformedStartLine),
        MalformedCase("GET\t/ HTTP/1.1\r\n\r\n", .malformedStartLine),
        MalformedCase("GET /\r\n\r\n", .malformedStartLine),
        MalformedCase("GET\r\n\r\n", .malformedStartLine),
        MalformedCase("GET / \r\n\r\n", .malformedStartLine),
        MalformedCase("G@T / HTTP/1.1\r\n\r\n", .malformedStartLine),
        MalformedCase("GET /a\u{7F} HTTP/1.1\r\n\r\n", .malformedStartLine),
        MalformedCase("GET /a\u{1}b HTTP/1.1\r\n\r\n", .malformedStartLine),
        MalformedCase("GET / http/1.1\r\n\r\n", .malformedStartLine),
        MalformedCase("GET / HTTP/1.1x\r\n\r\n", .malformedStartLine),
        MalformedCase("GET / HTTP/1.\r\n\r\n", .malformedStartLine),
        MalformedCase("GET / HTTP/\r\n\r\n", .malformedStartLine),
        MalformedCase("GET / HTTP/a.b\r\n\r\n", .malformedStartLine),
        MalformedCase("GET / HTTPS/1.1\r\n\r\n", .malformedStartLine),
        MalformedCase("GET / HTTP/1.1\nHost: h\r\n\r\n", .malformedStartLine),
        MalformedCase("GET / HTTP/1.1\rHost: h\r\n\r\n", .malformedStartLine),
        MalformedCase("GET / HTTP/2.0\r\n\r\n", .unsupportedVersion),
        MalformedCase("GET / HTTP/2\r\n\r\n", .unsupportedVersion),
        MalformedCase("GET / HTTP/1.2\r\n\r\n", .unsupportedVersion),
        MalformedCase("GET / HTTP/0.9\r\n\r\n", .unsupportedVersion),
        MalformedCase("GET / HTTP/11.10\r\n\r\n", .unsupportedVersion),
        MalformedCase("GET / HTTP/1.1\r\nHost : h\r\n\r\n", .malformedHeader),
        MalformedCase("GET / HTTP/1.1\r\nHost\t: h\r\n\r\n", .malformedHeader),
        MalformedCase("GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n", .malformedHeader),
        MalformedCase("GET / HTTP/1.1\r\nHost: h\r\n\tfolded\r\n\r\n", .malformedHeader),
        MalformedCase("GET / HTTP/1.1\r\n Host: h\r\n\r\n", .malformedHeader),
        MalformedCase("GET / HTTP/1.1\r\nNoColon\r\n\r\n", .malformedHeader),
        MalformedCase("GET / HTTP/1.1\r\n: empty-name\r\n\r\n", .malformedHeader),
        MalformedCase("GET / HTTP/1.1\r\nX(y): z\r\n\r\n", .malformedHeader),
        MalformedCase("GET / HTTP/1.1\r\nX: a\u{0}b\r\n\r\n", .malformedHeader),
        MalformedCase("GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", .malformedHeader),
        MalformedCase("GET / HTTP/1.1\r\nX: a\r\r\n\r\n", .malformedHeader),
        MalformedCase("GET / HTTP/1.1\r\nX: a\u{7F}\r\n\r\n", .malformedHeader),
        MalformedCase("GET / HTTP/1.1\r\nX: a\u{1B}[0m\r\n\r\n", .malformedHeader),
        MalformedCase("GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n", .malformedHeader),
        MalformedCase("GET / HTTP/1.1\r\nHost: h\r\n\n", .malformedHeader),
        MalformedCase(bytes: [0x47, 0x45, 0x54, 0x20, 0x2F, 0x00, 0x20] + Array("HTTP/1.1\r\n\r\n".utf8), .malformedStartLine),
    ])
    func malformedInputMapsToItsError(_ c: MalformedCase) {
        #expect(T.error(T.parseRequest(c.input)) == c.error)
        // The same verdict when the bytes arrive one at a time.
        var parser = HTTPRequestParser()
        var verdict: HTTPParseError?
        for length in 1...c.input.count {
            let result = Array(c.input[..<length]).withUnsafeBytes { parser.parse($0) }
            if case .failure(let error) = result { verdict = error; break }
            #expect(T.isIncomplete(result))
        }
        #expect(verdict == c.error)
    }

    /// A request whose head is exactly `size` bytes long.
    static func request(ofSize size: Int) -> [UInt8] {
        let prefix = "GET / HTTP/1.1\r\nX: "
        let suffix = "\r\n\r\n"
        let filler = size - prefix.utf8.count - suffix.utf8.count
        return T.bytes(prefix + String(repeating: "a", count: filler) + suffix)
    }

    @Test(arguments: [64, 8192])
    func headTooLargeExactlyAtTheLimit(_ limit: Int) throws {
        let fits = Self.request(ofSize: limit)
        #expect(fits.count == limit)
        let (_, consumed) = try #require(T.head(T.parseRequest(fits, maxHeadBytes: limit)))
        #expect(consumed == limit)
        // One byte over the limit fails, whether complete or still arriving.
        let over = Self.request(ofSize: limit + 1)
        #expect(T.error(T.parseRequest(over, maxHeadBytes: limit)) == .headTooLarge)
        #expect(T.isIncomplete(T.parseRequest(Array(over[..<(limit - 1)]), maxHeadBytes: limit)))
        #expect(T.error(T.parseRequest(Array(over[..<limit]), maxHeadBytes: limit)) == .headTooLarge)
        // Pipelined bytes after a head that fits do not count against it.
        let pipelined = fits + T.bytes("GET / HTTP/1.1\r\n\r\n")
        #expect(T.head(T.parseRequest(pipelined, maxHeadBytes: limit))?.consumed == limit)
    }

    @Test func headTooLargeCountsSkippedEmptyLines() {
        let input = T.bytes("\r\n") + Self.request(ofSize: 64)
        #expect(T.error(T.parseRequest(input, maxHeadBytes: 65)) == .headTooLarge)
        #expect(T.head(T.parseRequest(input, maxHeadBytes: 66))?.consumed == 66)
    }

    /// A request line that alone outgrows the head limit is a URI too long (414), not a
    /// header too large (431); once the request line has ended, the rest is the header's.
    @Test func requestLineTooLongWhileStillInsideTheRequestLine() {
        let input = T.bytes("GET /" + String(repeating: "x", count: 9000))
        #expect(T.error(T.parseRequest(input)) == .requestLineTooLong)
        #expect(T.isIncomplete(T.parseRequest(Array(input[..<8191]))))
        let complete = T.bytes("GET /" + String(repeating: "x", count: 100) + " HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(T.error(T.parseRequest(complete, maxHeadBytes: 64)) == .requestLineTooLong)
        let lineFits = T.bytes("GET /" + String(repeating: "x", count: 40) + " HTTP/1.1\r\nHost: " + String(repeating: "h", count: 40))
        #expect(T.error(T.parseRequest(lineFits, maxHeadBytes: 64)) == .headTooLarge)
    }

    @Test func tooManyHeaders() {
        func request(fields: Int, terminated: Bool = true) -> [UInt8] {
            var text = "GET / HTTP/1.1\r\n"
            for i in 0..<fields { text += "X-\(i): v\r\n" }
            if terminated { text += "\r\n" }
            return T.bytes(text)
        }
        #expect(T.head(T.parseRequest(request(fields: 3), maxHeaders: 3))?.head.headers.count == 3)
        #expect(T.error(T.parseRequest(request(fields: 4), maxHeaders: 3)) == .tooManyHeaders)
        // Detected before the head ends.
        #expect(T.error(T.parseRequest(request(fields: 4, terminated: false), maxHeaders: 3)) == .tooManyHeaders)
        #expect(T.head(T.parseRequest(request(fields: 100)))?.head.headers.count == 100)
        #expect(T.error(T.parseRequest(request(fields: 101))) == .tooManyHeaders)
    }

    @Test func errorsMapToStatusesAndReasons() {
        #expect(HTTPParseError.headTooLarge.status == 431)
        #expect(HTTPParseError.tooManyHeaders.status == 431)
        #expect(HTTPParseError.malformedStartLine.status == 400)
        #expect(HTTPParseError.malformedHeader.status == 400)
        #expect(HTTPParseError.unsupportedVersion.status == 505)
        #expect(HTTPParseError.invalidContentLength.status == 400)
        #expect(HTTPParseError.conflictingFraming.status == 400)
        #expect(HTTPParseError.unsupportedTransferEncoding.status == 400)  // RFC 9112 §6.3, not 501
        #expect(HTTPParseError.requestLineTooLong.status == 414)
        #expect(HTTPParseError.invalidChunk.status == 400)
        #expect(HTTPParseError.headTooLarge.reason == "Request header too large")
        let all: [HTTPParseError] = [
            .headTooLarge, .requestLineTooLong, .tooManyHeaders, .malformedStartLine, .malformedHeader, .unsupportedVersion,
            .invalidContentLength, .conflictingFraming, .unsupportedTransferEncoding, .invalidChunk,
        ]
        #expect(Set(all.map(\.reason)).count == all.count)
    }

    /// Every byte value inside a method and a field name: accepted exactly when
    /// it is an RFC 9110 `tchar`.
    @Test func tokenBytesMatchRFC9110() {
        let tchar = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        for byte in UInt8.min...UInt8.max {
            let method = [0x47, byte, 0x54] + T.bytes(" / HTTP/1.1\r\n\r\n")
            let field = T.bytes("GET / HTTP/1.1\r\nX") + [byte] + T.bytes("Y: v\r\n\r\n")
            let isToken = tchar.contains(byte)
            #expect(T.isComplete(T.parseRequest(method)) == isToken, "method byte \(byte)")
            // A colon just ends the name early ("X" with value "Y: v").
            #expect(T.isComplete(T.parseRequest(field)) == (isToken || byte == 0x3A), "field-name byte \(byte)")
        }
    }
}
