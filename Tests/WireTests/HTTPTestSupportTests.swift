import Testing
import Wire

/// Helpers shared by the HTTP codec tests (namespaced to stay clear of other
/// suites in WireTests).
enum HTTPTestSupport {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// Runs a fresh request parser over the whole of `input` in one call.
    static func parseRequest(
        _ input: [UInt8], maxHeadBytes: Int = 8192, maxHeaders: Int = 100
    ) -> HeadParseResult<HTTPRequestHead> {
        var parser = HTTPRequestParser(maxHeadBytes: maxHeadBytes, maxHeaders: maxHeaders)
        return input.withUnsafeBytes { parser.parse($0) }
    }

    static func parseRequest(_ input: String) -> HeadParseResult<HTTPRequestHead> {
        parseRequest(bytes(input))
    }

    static func parseResponse(
        _ input: [UInt8], maxHeadBytes: Int = 65536, maxHeaders: Int = 200
    ) -> HeadParseResult<HTTPResponseHead> {
        var parser = HTTPResponseParser(maxHeadBytes: maxHeadBytes, maxHeaders: maxHeaders)
        return input.withUnsafeBytes { parser.parse($0) }
    }

    static func parseResponse(_ input: String) -> HeadParseResult<HTTPResponseHead> {
        parseResponse(bytes(input))
    }

    /// The head of a `.complete` result, recording an issue otherwise.
    static func head<H>(
        _ result: HeadParseResult<H>, sourceLocation: SourceLocation = #_sourceLocation
    ) -> (head: H, consumed: Int)? {
        guard case .complete(let head, let consumed) = result else {
            Issue.record("expected a complete head, got \(result)", sourceLocation: sourceLocation)
            return nil
        }
        return (head, consumed)
    }

    static func error<H>(_ result: HeadParseResult<H>) -> HTTPParseError? {
        if case .failure(let error) = result { return error }
        return nil
    }

    static func isComplete<H>(_ result: HeadParseResult<H>) -> Bool {
        if case .complete = result { return true }
        return false
    }

    static func isIncomplete<H>(_ result: HeadParseResult<H>) -> Bool {
        if case .incomplete = result { return true }
        return false
    }

    /// One `decode` call over `bytes`, keeping the typed error.
    static func feed(
        _ decoder: inout BodyDecoder, _ bytes: [UInt8], emit: (UnsafeRawBufferPointer) -> Void = { _ in }
    ) throws(HTTPParseError) -> Int {
        try bytes.withUnsafeBytes { raw in
            Result { () throws(HTTPParseError) in try decoder.decode(raw, emit: emit) }
        }.get()
    }

    /// Outcome of running a body decoder over a list of reads.
    struct Decoded: Equatable {
        var body: [UInt8] = []
        /// Bytes consumed across all reads.
        var consumed = 0
        var complete = false
        var error: HTTPParseError?
        /// Calls to `emit` with an empty slice (must never happen).
        var emptyEmits = 0
    }

    /// Feeds `pieces` in order, stopping at the first error or once complete
    /// (bytes after completion are left unconsumed).
    static func decode(_ framing: BodyFraming, pieces: [[UInt8]]) -> Decoded {
        var decoder = BodyDecoder(framing: framing)
        var result = Decoded()
        for piece in pieces {
            do {
                let used = try feed(&decoder, piece) { slice in
                    if slice.isEmpty { result.emptyEmits += 1 }
                    result.body.append(contentsOf: slice)
                }
                #expect(used <= piece.count)
                result.consumed += used
                if decoder.isComplete { break }
            } catch {
                result.error = error
                break
            }
        }
        result.complete = decoder.isComplete
        return result
    }

    static func decode(_ framing: BodyFraming, _ input: String) -> Decoded {
        decode(framing, pieces: [bytes(input)])
    }

    /// `input` cut at each of the sorted offsets in `cuts`.
    static func split(_ input: [UInt8], at cuts: [Int]) -> [[UInt8]] {
        var pieces: [[UInt8]] = []
        var start = 0
        for cut in cuts where cut >= start && cut <= input.count {
            pieces.append(Array(input[start..<cut]))
            start = cut
        }
        pieces.append(Array(input[start...]))
        return pieces
    }
}

/// A wire-format test argument that prints escaped (no raw CR/LF in test logs).
struct HTTPSample: Sendable, ExpressibleByStringLiteral, CustomStringConvertible, CustomTestStringConvertible {
    let text: String

    init(_ text: String) {
        self.text = text
    }

    init(stringLiteral text: String) {
        self.text = text
    }

    var bytes: [UInt8] { Array(text.utf8) }
    var description: String { text.debugDescription }
    var testDescription: String { text.debugDescription }
}
