@testable import Wire

/// Text through the strict base64 decoders (`Base64`: tokens and keys in either alphabet,
/// padding optional; `decodeCanonical` for the `*-bin` fields of publishers and backends).
///
/// Checks: a decoded value re-encodes to the same text, padding aside (one value, one
/// spelling); a canonically decoded one re-encodes to exactly the text; encoding the input
/// bytes round-trips through every decoder.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBase64(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Fuzz.bytes(data, size)
    let text = String(decoding: input, as: UTF8.self)
    var symbols = Array(text.utf8)
    while symbols.last == UInt8(ascii: "=") { symbols.removeLast() }
    let unpadded = String(decoding: symbols, as: UTF8.self)

    if let bytes = Base64.decode(text) {
        Fuzz.check(Base64.encodeURL(bytes) == unpadded.urlAlphabet, "\(text) decodes to a value with another spelling")
    }
    if let bytes = Base64.decodeURL(text) {
        Fuzz.check(Base64.encodeURL(bytes) == unpadded, "\(text) decodes (url) to a value with another spelling")
    }
    if let bytes = Base64.decodeCanonical(text) {
        Fuzz.check(Base64.encode(bytes) == text, "\(text) is not the canonical spelling of what it decodes to")
    }
    let encoded = Base64.encode(input)
    Fuzz.check(Base64.decode(encoded) == input && Base64.decodeCanonical(encoded) == input, "standard round trip")
    Fuzz.check(Base64.decodeURL(Base64.encodeURL(input)) == input, "url round trip")
    return 0
}

private extension String {
    /// `+` and `/` spelled as base64url spells them.
    var urlAlphabet: String {
        String(decoding: utf8.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: "-") : $0 == UInt8(ascii: "/") ? UInt8(ascii: "_") : $0 },
               as: UTF8.self)
    }
}
