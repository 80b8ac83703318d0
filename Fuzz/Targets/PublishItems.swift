@testable import Wire

/// Whole `POST /publish/` bodies through `PublishRequestParser.parse(body:)`.
///
/// Checks: every rejection is a 400 with a message; the result depends only on the JSON
/// value (the serialized document gives the same answer); there is one item per entry
/// of `items`; parsed values keep their documented bounds, and an `http-response` is one
/// `HTTPFieldRules` lets pushpind write.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPublishItems(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Fuzz.bytes(data, size)
    let result = PublishRequestParser.parse(body: input)
    if case .failure(let error) = result {
        let known = error.message.hasPrefix("Body is not valid JSON.") || error.message.hasPrefix("Invalid format")
        Fuzz.check(error.status == 400 && known, "unexpected rejection \(error)")
    }
    guard let document = PushpinFields.parseDocument(input) else {
        Fuzz.check(result == .failure(.notJSON), "no JSON document, yet \(result)")
        return 0
    }
    let reparsed = PublishRequestParser.parse(body: Array(document.serialized.utf8))
    Fuzz.check(reparsed == result, "serialized document gives \(reparsed), not \(result)")
    guard case .success(let items) = result else { return 0 }
    Fuzz.check(items.count == document.objectValue?["items"]?.arrayValue?.count, "\(items.count) items")
    for item in items { checkBounds(item) }
    return 0
}

private func checkBounds(_ item: PublishItem) {
    if let size = item.size { Fuzz.check(size >= 0, "size \(size)") }
    if let response = item.httpResponse {
        Fuzz.check(response.bodyPatch == nil || response.body.isEmpty, "body and body-patch")
        if response.action == .send {
            let problem = HTTPFieldRules.responseProblem(
                status: response.code, reason: response.reason, headers: response.headers, hasBody: !response.body.isEmpty)
            Fuzz.check(problem == nil, "http-response: \(String(describing: problem))")
            Fuzz.check(!response.headers.contains { HopByHop.isFraming($0.name) }, "framing field in http-response")
        }
    }
    if let stream = item.httpStream {
        Fuzz.check(stream.action == .send || stream.content.isEmpty, "content on \(stream.action)")
    }
    if let message = item.wsMessage {
        if let code = message.code { Fuzz.check(code >= 0 && message.action == .close, "ws-message code \(code)") }
        if let reason = message.reason { Fuzz.check(!reason.isEmpty && message.action == .close, "ws-message reason") }
    }
}
