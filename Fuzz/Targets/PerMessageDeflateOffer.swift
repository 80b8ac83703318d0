@testable import Wire

/// `Sec-WebSocket-Extensions` values from a WebSocket client (the input split at newlines
/// into several fields) through `PerMessageDeflateOffer.accept`.
///
/// Checks: an answer is a valid field value built only from the parameters pushpind sends,
/// with a window size of 8…15; `clientResets` matches the answer; the answer, read back as an
/// offer, is accepted with the same answer; no answer without `permessage-deflate` in the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPerMessageDeflateOffer(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    // Field values reach the shard as the HTTP parser makes them: lossily decoded UTF-8.
    let values = Fuzz.bytes(data, size).split(separator: 0x0A, omittingEmptySubsequences: false)
        .map { String(decoding: $0, as: UTF8.self) }
    guard let offer = PerMessageDeflateOffer.accept(values) else { return 0 }
    let name = Array("permessage-deflate".utf8)
    let lowered = Fuzz.bytes(data, size).map(HTTPASCII.lower)
    let offered = lowered.indices.contains { lowered[$0...].starts(with: name) }
    Fuzz.check(offered, "answered without an offer")
    Fuzz.check(HTTPFieldRules.fieldProblem(name: "Sec-WebSocket-Extensions", value: offer.response) == nil, "answer breaks the field rules")
    let parts = offer.response.split(separator: ";").map { String($0.drop { $0 == " " }) }
    Fuzz.check(parts.prefix(2) == ["permessage-deflate", "server_no_context_takeover"], "answer \(offer.response)")
    for part in parts.dropFirst(2) {
        let known = part == "client_no_context_takeover"
            || (part.hasPrefix("server_max_window_bits=") && Int(part.dropFirst(23)).map { (8...15).contains($0) } == true)
        Fuzz.check(known, "answered \(part)")
    }
    Fuzz.check(offer.clientResets == parts.contains("client_no_context_takeover"), "clientResets \(offer.clientResets)")
    Fuzz.check(PerMessageDeflateOffer.accept([offer.response]) == offer, "answer \(offer.response) is not its own offer")
    return 0
}
