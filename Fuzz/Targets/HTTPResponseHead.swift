@testable import Wire

/// Response heads from a backend, pipelined (1xx interim heads come one after another),
/// parsed from an accumulating buffer as a shard does.
///
/// Checks: the outcome does not depend on how the bytes were split into reads; every
/// head is written back by `HTTPWriter` as a head that parses to the same value; the
/// status is three digits; reason and fields pass `HTTPFieldRules`; body framing keeps its
/// documented rules; the head `ResponseRelay` plans for each kind of client has no backend
/// hop-by-hop field, frames the body one way, closes when it must, and parses back.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPResponseHead(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Fuzz.bytes(data, size)
    let whole = ResponseHeads.transcript([input])
    let split = ResponseHeads.transcript(Fuzz.pieces(of: input))
    Fuzz.check(whole == split, "split changed the outcome:\n\(whole)\n\(split)")
    for case .head(let head, _) in whole {
        ResponseHeads.checkFields(head)
        ResponseHeads.checkRoundTrip(head)
        ResponseHeads.checkRelay(head)
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

    static func checkRelay(_ head: HTTPResponseHead) {
        guard case .success(let framing) = Result(catching: { () throws(HTTPParseError) in try head.bodyFraming(requestMethod: "GET") })
        else { return }
        for version in [HTTPVersion.http10, .http11] {
            for keepAlive in [false, true] {
                let plan = ResponseRelay.plan(for: head, framing: framing, clientVersion: version, clientKeepAlive: keepAlive)
                let chunkedField = plan.head.headers.values("Transfer-Encoding")
                Fuzz.check(chunkedField == (plan.chunked ? ["chunked"] : []), "Transfer-Encoding \(chunkedField), chunked \(plan.chunked)")
                Fuzz.check(!(plan.chunked && plan.untilClose), "chunked and until close")
                Fuzz.check(!plan.chunked || version == .http11, "chunked to an HTTP/1.0 client")
                Fuzz.check(!plan.chunked || !plan.head.headers.contains("Content-Length"), "chunked with Content-Length")
                Fuzz.check(!plan.untilClose || plan.close, "until close without closing")
                Fuzz.check(plan.close == (!keepAlive || plan.untilClose), "close \(plan.close)")
                let connection = plan.head.headers.values("Connection")
                Fuzz.check(connection == (plan.close ? ["close"] : version == .http10 ? ["keep-alive"] : []), "Connection: \(connection)")
                for (name, _) in plan.head.headers where !HTTPHeaders.namesEqual(name, "Connection") && !HTTPHeaders.namesEqual(name, "Transfer-Encoding") {
                    Fuzz.check(!HopByHop.isHopByHop(name), "relayed \(name)")
                }
                checkRoundTrip(plan.head)
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
