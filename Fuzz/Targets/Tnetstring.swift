@testable import Wire

/// ZeroMQ frames: bytes to `TnetstringDecoder`, `PublishItemFrame` and `CommandRPC`.
///
/// Checks: a rejection's offset lies inside the input; whatever decodes re-encodes to a
/// tnetstring that decodes back to the same value and encodes to the same bytes again; a
/// request's reply is itself a tnetstring.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTnetstring(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Fuzz.bytes(data, size)
    _ = PublishItemFrame.parse(input)
    _ = PublishItemFrame.parse(input, channel: "topic")
    if case .success(let request) = CommandRPC.parseRequest(input) {
        let reply = CommandRPC.encodeReply(.success(value: request.args), id: request.id)
        Fuzz.check((try? TnetstringDecoder.decode(reply)) != nil, "reply is not a tnetstring")
    }
    let value: TnetValue
    do throws(TnetstringError) {
        value = try TnetstringDecoder.decode(input)
    } catch {
        Fuzz.check(error.offset >= 0 && error.offset <= input.count, "offset \(error.offset) of \(input.count)")
        return 0
    }
    let encoded = TnetstringEncoder.encode(value)
    Fuzz.check((try? TnetstringDecoder.decode(encoded)) == value, "re-encoded value differs")
    let reencoded = TnetstringEncoder.encode((try? TnetstringDecoder.decode(encoded)) ?? .null)
    Fuzz.check(reencoded == encoded, "encoding is not canonical")
    return 0
}
