@testable import Wire

/// Request heads, pipelined, as a shard reads them: an accumulating buffer parsed after
/// every read, the head's bytes dropped and the parser reset before the next head.
///
/// Checks: the outcome does not depend on how the bytes were split into reads; every
/// head the parser returns is written back by `HTTPWriter` as a head that parses to the
/// same value; its fields pass `HTTPFieldRules`; the accessors a shard calls never trap and
/// keep their documented bounds; `HopByHop.stripped` keeps only end-to-end fields, in order;
/// the head `RequestForwarding` builds for a backend has no client hop-by-hop or `Grip-*`
/// field, one Host, the peer last in X-Forwarded-For, an origin-form target, and parses back.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPRequestHead(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Fuzz.bytes(data, size)
    let whole = RequestHeads.transcript([input])
    let split = RequestHeads.transcript(Fuzz.pieces(of: input))
    Fuzz.check(whole == split, "split changed the outcome:\n\(whole)\n\(split)")
    for case .head(let head, _) in whole {
        RequestHeads.checkAccessors(head)
        RequestHeads.checkRoundTrip(head)
        RequestHeads.checkHopByHop(head.headers)
        RequestHeads.checkForwarding(head)
    }
    return 0
}

enum RequestHeads {
    static func transcript(_ reads: [[UInt8]]) -> [HeadTranscript<HTTPRequestHead>] {
        var parser = HTTPRequestParser(maxHeadBytes: 1024, maxHeaders: 16)
        return HeadTranscript.of(reads, parse: { parser.parse($0) }, reset: { parser.reset() })
    }

    static func checkAccessors(_ head: HTTPRequestHead) {
        _ = head.path
        if let host = head.host { Fuzz.check(!host.isEmpty, "empty host") }
        _ = head.keepAlive
        _ = head.expectsContinue
        _ = head.isWebSocketUpgrade
        if case .success(.contentLength(let length)) = Result(catching: { () throws(HTTPParseError) in try head.bodyFraming() }) {
            Fuzz.check(length > 0, "contentLength(\(length))")
        }
    }

    static func checkHopByHop(_ headers: HTTPHeaders) {
        for (name, value) in headers {
            Fuzz.check(HTTPFieldRules.fieldProblem(name: name, value: value) == nil, "parsed field \(name) breaks the rules")
        }
        let listed = headers.values("Connection").flatMap { HTTPASCII.listElements($0) }.map(String.init)
            .filter { !HTTPHeaders.namesEqual($0, "close") && !HTTPHeaders.namesEqual($0, "keep-alive") }
        let original = Array(headers)
        var index = 0
        for (name, value) in HopByHop.stripped(headers) {
            Fuzz.check(!HopByHop.isHopByHop(name) && !listed.contains { HTTPHeaders.namesEqual($0, name) }, "kept \(name)")
            while index < original.count, original[index] != (name, value) { index += 1 }
            Fuzz.check(index < original.count, "stripped fields are not the original ones in their order")
            index += 1
        }
    }

    static func checkForwarding(_ head: HTTPRequestHead) {
        // The shard answers 400 to more than one Host before forwarding anything.
        guard head.headers.values("Host").count <= 1 else { return }
        guard case .success(let framing) = Result(catching: { () throws(HTTPParseError) in try head.bodyFraming() }) else { return }
        let forwarding = RequestForwarding(xForwardedFor: [.truncate(1), .append], setXForwardedProtocol: .both)
        let out = forwarding.head(
            for: head, framing: framing, peerHost: "192.0.2.7", isTLS: true, backendHost: "backend", grip: true, gripSignature: nil)
        for (name, _) in out.headers {
            let framingField = HTTPHeaders.namesEqual(name, "Transfer-Encoding") && framing == .chunked
            Fuzz.check(!HopByHop.isHopByHop(name) || framingField, "forwarded \(name)")
            // The one Grip-* field the proxy adds itself; a client's own never passes.
            guard !HTTPHeaders.namesEqual(name, "Grip-Feature") else { continue }
            Fuzz.check(!GripResponseHeaders.isGripField(name), "forwarded a client's \(name)")
        }
        Fuzz.check(out.headers.values("Grip-Feature") == [RequestForwarding.gripFeatures], "Grip-Feature: \(out.headers.values("Grip-Feature"))")
        Fuzz.check(out.headers.values("Host").count == 1, "Host fields: \(out.headers.values("Host"))")
        let forwardedFor = out.headers.values("X-Forwarded-For")
        Fuzz.check(forwardedFor.count == 1 && forwardedFor[0].hasSuffix("192.0.2.7"), "X-Forwarded-For: \(forwardedFor)")
        Fuzz.check(out.headers.values("X-Forwarded-Proto") == ["https"], "X-Forwarded-Proto: \(out.headers.values("X-Forwarded-Proto"))")
        Fuzz.check(out.target == RequestForwarding.originForm(out.target), "target \(out.target) is not origin-form")
        checkRoundTrip(out)
    }

    static func checkRoundTrip(_ head: HTTPRequestHead) {
        var written: [UInt8] = []
        HTTPWriter.appendRequestHead(head, to: &written)
        // "name: value" may be longer than what was read; the limits are not under test here.
        var parser = HTTPRequestParser(maxHeadBytes: Int.max, maxHeaders: Int.max)
        let reparsed = written.withUnsafeBytes { parser.parse($0) }
        Fuzz.check(reparsed == .complete(head, consumed: written.count), "round trip: \(head) → \(reparsed)")
    }
}
