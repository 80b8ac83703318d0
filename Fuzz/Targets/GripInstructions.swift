@testable import Wire

/// A backend's GRIP response, head and body as bytes, through `GripInstructionParser`:
/// the header form (`Grip-*` fields) and, for `application/grip-instruct`, the JSON form.
///
/// Checks: the limits the parser promises (channel cap, timeout floor, keep-alive,
/// unique meta keys, links that pass `GripLinkURI`); the client response passes
/// `HTTPFieldRules` and carries no framing field, nor a `Grip-*` field in the header form;
/// the header form passes the body through; the JSON form depends only on the JSON value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGripInstructions(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Fuzz.bytes(data, size)
    var parser = HTTPResponseParser()
    guard case .complete(let head, let consumed) = input.withUnsafeBytes({ parser.parse($0) }) else { return 0 }
    let body = Array(input[consumed...])
    let needsBody = GripInstructionParser.needsBody(head)
    Fuzz.check(!needsBody || GripInstructionParser.isGrip(head), "instruct body but not GRIP")

    let capped = GripInstructionParser.parse(head: head, body: body, subscriptionMax: 3)
    let uncapped = GripInstructionParser.parse(head: head, body: body, subscriptionMax: Int.max)
    switch (capped, uncapped) {
    case (.success(let instruction), .success(let all)):
        var expected = all
        expected.channels = Array(all.channels.prefix(3))
        Fuzz.check(instruction == expected, "the channel cap changed more than the channels")
        checkBounds(all, needsBody: needsBody)
        if !needsBody { Fuzz.check(all.response.body == body, "header form changed the body") }
    case (.failure(let error), .failure(let same)):
        Fuzz.check(error == same, "the channel cap changed the error")
    default:
        Fuzz.check(false, "the channel cap changed the outcome: \(capped) vs \(uncapped)")
    }
    if needsBody, let document = PushpinFields.parseDocument(body) {
        let reparsed = GripInstructionParser.parse(
            head: head, body: Array(document.serialized.utf8), subscriptionMax: Int.max)
        Fuzz.check(reparsed == uncapped, "serialized instruct gives \(reparsed), not \(uncapped)")
    }
    return 0
}

private func checkBounds(_ instruction: GripInstruction, needsBody: Bool) {
    Fuzz.check(instruction.timeoutSeconds >= GripInstructionParser.minimumTimeoutSeconds, "timeout \(instruction.timeoutSeconds)")
    if let keepAlive = instruction.keepAlive {
        Fuzz.check(!keepAlive.content.isEmpty && keepAlive.timeoutSeconds >= 1, "keep-alive \(keepAlive)")
    }
    let keys = instruction.meta.map(\.key)
    Fuzz.check(Set(keys).count == keys.count, "repeated meta keys \(keys)")
    let response = instruction.response
    let problem = HTTPFieldRules.responseProblem(
        status: response.status, reason: response.reason, headers: response.headers,
        hasBody: instruction.hold == .stream || !response.body.isEmpty)
    Fuzz.check(problem == nil && !response.reason.isEmpty, "client response: \(String(describing: problem))")
    for field in response.headers {
        Fuzz.check(!HopByHop.isFraming(field.name), "framing field \(field.name)")
        Fuzz.check(needsBody || !GripResponseHeaders.isGripField(field.name), "GRIP field \(field.name)")
    }
    if let link = instruction.nextLink {
        Fuzz.check(GripLinkURI.isValid(link.uri) && link.timeoutSeconds >= 0, "next link \(link)")
    }
    if let uri = instruction.goneLink { Fuzz.check(GripLinkURI.isValid(uri), "gone link \(uri)") }
}
