/// Which permessage-deflate offer of a WebSocket client pushpind accepts, and its answer
/// (RFC 7692 §5, §7.1). The inflating itself is the shard's (zlib).
///
/// pushpind never compresses what it sends, so it always answers
/// `server_no_context_takeover` and takes any client window (a raw inflater reads all of
/// them). An offer with an unknown or repeated parameter, or a window size outside 8…15,
/// is declined (§7.1), and the next offer is tried.
public struct PerMessageDeflateOffer: Equatable, Sendable {
    /// The `Sec-WebSocket-Extensions` value of the 101.
    public var response: String
    /// The client starts every message with a fresh context (`client_no_context_takeover`).
    public var clientResets: Bool

    /// The first acceptable offer among the request's `Sec-WebSocket-Extensions` values.
    public static func accept(_ extensionValues: [String]) -> PerMessageDeflateOffer? {
        for value in extensionValues {
            for element in HeaderParameterParser.splitList(value) {
                guard let parameters = HeaderParameterParser.parse(element, rawFirst: true),
                    let name = parameters.first?.name, HTTPASCII.equalsIgnoringCase(name, "permessage-deflate"),
                    let offer = accept(parameters.items.dropFirst())
                else { continue }
                return offer
            }
        }
        return nil
    }

    private static func accept(_ parameters: ArraySlice<HeaderParameter>) -> PerMessageDeflateOffer? {
        var response = "permessage-deflate; server_no_context_takeover"
        var clientResets = false
        var seen: Set<String> = []
        for parameter in parameters {
            let name = parameter.name.lowercased()
            guard seen.insert(name).inserted else { return nil }
            switch (name, parameter.value) {
            case ("server_no_context_takeover", nil):
                break  // answered anyway
            case ("client_no_context_takeover", nil):
                clientResets = true
                response += "; client_no_context_takeover"
            case ("client_max_window_bits", nil):
                break
            case ("client_max_window_bits", let bits?):
                guard windowBits(bits) != nil else { return nil }
            case ("server_max_window_bits", let bits?):
                // Answered with the same value (§7.1.2.1); nothing is compressed with it.
                guard let bits = windowBits(bits) else { return nil }
                response += "; server_max_window_bits=\(bits)"
            default:
                return nil
            }
        }
        return PerMessageDeflateOffer(response: response, clientResets: clientResets)
    }

    /// 8…15 written as plain decimal digits without a leading zero (§7.1.2.1).
    private static func windowBits(_ text: String) -> Int? {
        guard let first = text.utf8.first, first != UInt8(ascii: "0"), text.utf8.allSatisfy(HTTPASCII.isDigit),
            text.utf8.count <= 2, let bits = Int(text), (8...15).contains(bits)
        else { return nil }
        return bits
    }
}
