@testable import Wire

/// Response heads from a backend, pipelined (1xx interim heads come one after another),
/// parsed from an accumulating buffer as a shard does.
///
/// Checks: the outcome does not depend on how the bytes were split into reads; every
/// head is written back by `HTTPWriter` as a head that parses to the same value; the
/// status is three digits; reason and fields pass `HTTPFieldRules`; body framing keeps its
/// documented rules.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPResponseHead(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Fuzz.bytes(data, size)
    let whole = ResponseHeads.transcript([input])
    let split = ResponseHeads.transcript(Fuzz.pieces(of: input))
    Fuzz.check(whole == split, "split changed the outcome:\n\(whole)\n\(split)")
    for case .head(let head, _) in whole {
        ResponseHeads.checkFields(head)
        ResponseHeads.checkRoundTrip(head)
    }
    return 0
}

enum ResponseHeads {
    static func transcript(_ reads: [[UInt8]]) -> [HeadTranscript<HTTPResponseHead>] {
        var parser = HTTPResponseParser(maxHeadBytes: 1024, maxHeaders: 16)
        return HeadTranscript.of(reads, parse: { parser.parse($0) }, reset: { parser.reset() })
    }

    static func checkFields(_ head: HTTPResponseHead) {
        Fuzz.check((100...999).contains(head.status), "status \(head.status)")
        Fuzz.check(HTTPFieldRules.isReasonPhrase(head.reason), "parsed reason breaks the rules")
        for (name, value) in head.headers {
            Fuzz.check(HTTPFieldRules.fieldProblem(name: name, value: value) == nil, "parsed field \(name) breaks the rules")
        }
        _ = head.keepAlive
        for method in ["GET", "HEAD", "CONNECT", "POST"] {
            let framing = Result { () throws(HTTPParseError) in try head.bodyFraming(requestMethod: method) }
            if case .success(.contentLength(let length)) = framing {
                Fuzz.check(length > 0, "contentLength(\(length))")
            }
            if method == "HEAD" || (100...199).contains(head.status) || head.status == 204 || head.status == 304 {
                Fuzz.check(framing == .success(.none), "\(method) \(head.status) has a body: \(framing)")
            }
        }
    }

    static func checkRoundTrip(_ head: HTTPResponseHead) {
        var written: [UInt8] = []
        HTTPWriter.appendResponseHead(head, to: &written)
        // "name: value" may be longer than what was read; the limits are not under test here.
        var parser = HTTPResponseParser(maxHeadBytes: Int.max, maxHeaders: Int.max)
        let reparsed = written.withUnsafeBytes { parser.parse($0) }
        Fuzz.check(reparsed == .complete(head, consumed: written.count), "round trip: \(head) → \(reparsed)")
    }
}
