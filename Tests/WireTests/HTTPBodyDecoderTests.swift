import Testing
import Wire

@Suite("HTTP body decoder")
struct HTTPBodyDecoderTests {
    typealias T = HTTPTestSupport

    @Test func noBodyIsCompleteAtOnceAndConsumesNothing() {
        let decoded = T.decode(.none, "GET / HTTP/1.1\r\n\r\n")
        #expect(decoded.complete)
        #expect(decoded.consumed == 0)
        #expect(decoded.body.isEmpty)
        #expect(T.decode(.contentLength(0), "x").consumed == 0)
    }

    @Test func contentLengthAcrossCallsLeavesPipelinedBytes() {
        let decoded = T.decode(.contentLength(11), pieces: [T.bytes("hel"), T.bytes("lo wo"), T.bytes("rldGET / HTTP/1.1")])
        #expect(decoded.complete)
        #expect(decoded.body == T.bytes("hello world"))
        #expect(decoded.consumed == 11)
        #expect(decoded.emptyEmits == 0)
    }

    @Test func contentLengthAtEveryByteBoundary() {
        let input = T.bytes("0123456789NEXT")
        for cut in 0...input.count {
            let decoded = T.decode(.contentLength(10), pieces: T.split(input, at: [cut]))
            #expect(decoded.body == Array(input[..<10]), "cut at \(cut)")
            #expect(decoded.consumed == 10)
            #expect(decoded.complete)
            #expect(decoded.emptyEmits == 0)
        }
    }

    @Test func contentLengthTruncatedAtEOF() throws {
        var decoder = BodyDecoder(framing: .contentLength(10))
        let used = try T.feed(&decoder, T.bytes("short"))
        #expect(used == 5)
        #expect(!decoder.isComplete)
        let ended = decoder.finishAtEOF()
        #expect(!ended)
    }

    @Test func untilCloseConsumesEverythingAndEndsAtEOF() throws {
        var decoder = BodyDecoder(framing: .untilClose)
        var body: [UInt8] = []
        for piece in ["abc", "", "HTTP/1.1 200 OK\r\n"] {
            let used = try T.feed(&decoder, T.bytes(piece)) { body.append(contentsOf: $0) }
            #expect(used == piece.utf8.count)
            #expect(!decoder.isComplete)
        }
        #expect(body == T.bytes("abcHTTP/1.1 200 OK\r\n"))
        let ended = decoder.finishAtEOF()
        #expect(ended)
        #expect(decoder.isComplete)
    }

    @Test func completeBodyEndsValidlyAtEOF() {
        var done = BodyDecoder(framing: .none)
        let doneEnded = done.finishAtEOF()
        #expect(doneEnded)
        var chunked = BodyDecoder(framing: .chunked)
        let chunkedEnded = chunked.finishAtEOF()
        #expect(!chunkedEnded)
    }

    @Test func simpleChunkedBody() {
        let input = "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nNEXT"
        let decoded = T.decode(.chunked, input)
        #expect(decoded.error == nil)
        #expect(decoded.complete)
        #expect(decoded.body == T.bytes("hello world"))
        #expect(decoded.consumed == input.utf8.count - 4)
    }

    static let chunkedSamples: [(input: HTTPSample, body: HTTPSample)] = [
        ("5\r\nhello\r\n0\r\n\r\n", "hello"),
        ("0\r\n\r\n", ""),
        ("A\r\n0123456789\r\na\r\nabcdefghij\r\n0\r\n\r\n", "0123456789abcdefghij"),
        ("000003\r\nabc\r\n00\r\n\r\n", "abc"),
        ("3;name=value\r\nabc\r\n2;a;b=\"quoted; \\\"x\"\r\nde\r\n0;last\r\n\r\n", "abcde"),
        ("3 ;ext\r\nabc\r\n2\t\r\nde\r\n0  \r\n\r\n", "abcde"),
        ("4\r\nwiki\r\n0\r\nExpires: never\r\nX-Checksum:  abc \r\nEmpty:\r\n\r\n", "wiki"),
        ("1\r\n\r\r\n1\r\n\n\r\n0\r\n\r\n", "\r\n"),
    ]

    @Test(arguments: chunkedSamples)
    func chunkedAtEveryByteBoundary(_ sample: (input: HTTPSample, body: HTTPSample)) {
        let input = sample.input.bytes + T.bytes("POST")
        let expectedConsumed = input.count - 4
        // Two pieces cut anywhere, and a third cut for good measure.
        for cut in 0...input.count {
            for second in [cut, min(input.count, cut + 1), min(input.count, cut + 3)] {
                let decoded = T.decode(.chunked, pieces: T.split(input, at: [cut, second]))
                #expect(decoded.error == nil, "cuts \(cut), \(second)")
                #expect(decoded.complete)
                #expect(decoded.body == sample.body.bytes)
                #expect(decoded.consumed == expectedConsumed)
                #expect(decoded.emptyEmits == 0)
            }
        }
        // One byte per read.
        let bytewise = T.decode(.chunked, pieces: input.map { [$0] })
        #expect(bytewise.body == sample.body.bytes)
        #expect(bytewise.consumed == expectedConsumed)
        #expect(bytewise.complete)
    }

    @Test(arguments: [
        "\r\n",                          // empty size
        ";ext\r\nabc\r\n",               // extension without size
        " 5\r\nhello\r\n",               // leading space
        "g\r\n",                         // not hex
        "5\nhello\r\n0\r\n\r\n",         // bare LF after size
        "5\r\nhelloX\r\n",               // data longer than its size
        "5\r\nhello\n0\r\n\r\n",         // bare LF after data
        "5\r\nhello\r\r\n",              // CR CR after data
        "5x\r\nhello\r\n",               // junk after size
        "5 x\r\nhello\r\n",              // junk after BWS
        "5;a\nb\r\nhello\r\n",           // LF inside an extension
        "5;a\u{0}\r\nhello\r\n",         // NUL inside an extension
        "-5\r\n",                        // sign
        "0x5\r\nhello\r\n",              // hex prefix
        "4000000000000001\r\n",          // above 2^62
        "FFFFFFFFFFFFFFFFF\r\n",         // overflows 64 bits
        "0\r\nbad trailer\r\n\r\n",      // trailer without colon
        "0\r\n: empty-name\r\n\r\n",     // empty trailer name
        "0\r\nA: b\r\n folded\r\n\r\n",  // obs-fold in trailers
        "0\r\nA: b\u{1}\r\n\r\n",        // control byte in trailer value
        "0\r\nA: b\n\r\n",               // bare LF ending a trailer
        "0\r\n\rX",                      // CR not followed by LF at the end
    ] as [HTTPSample])
    func invalidChunkedBodies(_ sample: HTTPSample) {
        #expect(T.decode(.chunked, pieces: [sample.bytes]).error == .invalidChunk)
        // The same verdict byte by byte.
        #expect(T.decode(.chunked, pieces: sample.bytes.map { [$0] }).error == .invalidChunk)
    }

    @Test func largestChunkSizeIsAccepted() throws {
        var decoder = BodyDecoder(framing: .chunked)
        let used = try T.feed(&decoder, T.bytes("4000000000000000\r\nabc"))
        #expect(used == 21)
        #expect(!decoder.isComplete)
        let ended = decoder.finishAtEOF()
        #expect(!ended)
    }

    @Test func failedDecoderStaysFailed() {
        var decoder = BodyDecoder(framing: .chunked)
        var errors: [HTTPParseError] = []
        for piece in ["z", "5\r\nhello\r\n0\r\n\r\n", ""] {
            do {
                _ = try T.feed(&decoder, T.bytes(piece))
            } catch {
                errors.append(error)
            }
        }
        #expect(errors == [.invalidChunk, .invalidChunk, .invalidChunk])
        #expect(!decoder.isComplete)
    }

    @Test func sizeLineAndTrailerSectionAreBounded() {
        let longExtension = "1;" + String(repeating: "e", count: BodyDecoder.maxSizeLineBytes) + "\r\nx\r\n0\r\n\r\n"
        #expect(T.decode(.chunked, longExtension).error == .invalidChunk)
        let okExtension = "1;" + String(repeating: "e", count: BodyDecoder.maxSizeLineBytes - 10) + "\r\nx\r\n0\r\n\r\n"
        #expect(T.decode(.chunked, okExtension).complete)
        let zeros = String(repeating: "0", count: BodyDecoder.maxSizeLineBytes + 1) + "\r\n\r\n"
        #expect(T.decode(.chunked, zeros).error == .invalidChunk)
        let longTrailer = "0\r\nX: " + String(repeating: "t", count: BodyDecoder.maxTrailerBytes) + "\r\n\r\n"
        #expect(T.decode(.chunked, longTrailer).error == .invalidChunk)
    }

    @Test func chunkedTruncatedAtEOF() throws {
        for prefix in ["", "5", "5\r\nhel", "5\r\nhello\r\n", "5\r\nhello\r\n0\r\n", "5\r\nhello\r\n0\r\nA: b\r\n"] {
            var decoder = BodyDecoder(framing: .chunked)
            _ = try T.feed(&decoder, T.bytes(prefix))
            let ended = decoder.finishAtEOF()
            #expect(!ended, "\(prefix.debugDescription)")
        }
    }

    @Test func dataIsEmittedAsSlicesOfTheInput() throws {
        let input = T.bytes("3\r\nabc\r\n0\r\n\r\n")
        var decoder = BodyDecoder(framing: .chunked)
        try input.withUnsafeBytes { raw in
            var slices = 0
            _ = try decoder.decode(raw) { slice in
                slices += 1
                #expect(slice.baseAddress == raw.baseAddress.map { $0 + 3 })
                #expect(slice.count == 3)
            }
            #expect(slices == 1)
        }
    }
}
