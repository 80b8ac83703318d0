@testable import Wire

/// `application/websocket-events` bodies through `WebSocketOverHTTPCodec.decode`.
///
/// Checks: TEXT content and close reasons are UTF-8 by the standard library's validator;
/// a close without a code has no reason; decoded events encode to a body that decodes to
/// the same events.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebSocketOverHTTP(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Fuzz.bytes(data, size)
    guard case .success(let events) = WebSocketOverHTTPCodec.decode(input) else { return 0 }
    for event in events {
        switch event {
        case .text(let content):
            Fuzz.check(Fuzz.isUTF8(content), "TEXT content is not UTF-8")
        case .close(let code, let reason):
            Fuzz.check(code != nil || reason.isEmpty, "a reason without a code")
            Fuzz.check(Fuzz.isUTF8(reason), "close reason is not UTF-8")
        case .open, .binary, .ping, .pong, .disconnect:
            break
        }
    }
    let encoded = WebSocketOverHTTPCodec.encode(events)
    let again = WebSocketOverHTTPCodec.decode(encoded)
    Fuzz.check(again == .success(events), "re-encoded events decode as \(again)")
    return 0
}
