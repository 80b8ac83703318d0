@testable import Wire

/// One `Grip-*` field value through the readers the header form uses: list splitting and
/// `;` parameters (`HeaderParameterParser`), header integers (`PushpinInteger`),
/// `format=cstring` keep-alive data (`GripKeepAliveCString`) and link URIs (`GripLinkURI`).
///
/// Checks: list elements and parameters are trimmed; without quotes in play both equal
/// a plain split on `,` / `;` / `=` (the documented rules); only an unterminated quote
/// makes an element invalid; integers agree with `Int32` on the trimmed text; a cstring
/// never decodes to no bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGripHeaderParameters(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    // Field values reach GRIP as the HTTP parser makes them: lossily decoded UTF-8.
    let value = String(decoding: Fuzz.bytes(data, size), as: UTF8.self)
    let quoteFree = !value.utf8.contains(UInt8(ascii: "\""))

    let elements = HeaderParameterParser.splitList(value)
    for element in elements { Fuzz.check(element == trim(element), "untrimmed element \(element.debugDescription)") }
    if quoteFree { Fuzz.check(elements == plainSplit(value, UInt8(ascii: ",")), "list \(elements)") }

    for rawFirst in [false, true] {
        guard let parameters = HeaderParameterParser.parse(value, rawFirst: rawFirst) else {
            Fuzz.check(!quoteFree, "a quote-free element was refused")
            continue
        }
        for parameter in parameters.items {
            Fuzz.check(parameter.name == trim(parameter.name), "untrimmed name \(parameter.name.debugDescription)")
        }
        if quoteFree { Fuzz.check(parameters == plainParameters(value, rawFirst: rawFirst), "parameters \(parameters)") }
    }

    let integer = PushpinInteger.parseHeaderInt(value)
    Fuzz.check(integer == Int32(trim(value)).map(Int.init), "integer \(String(describing: integer))")
    if let bytes = GripKeepAliveCString.unescape(value) {
        Fuzz.check(!bytes.isEmpty, "cstring decoded to nothing")
        if !value.utf8.contains(UInt8(ascii: "\\")) { Fuzz.check(bytes == Array(value.utf8), "cstring changed plain text") }
    }
    if GripLinkURI.isValid(value) {
        Fuzz.check(!value.utf8.contains { $0 < 0x20 || $0 == 0x7F }, "a link with control bytes")
    }
    return 0
}

/// Trimmed of the bytes `HeaderParameterParser` treats as space (SP, HTAB, LF, VT, FF, CR).
private func trim(_ text: some StringProtocol) -> String {
    let bytes = Array(text.utf8)
    var lo = 0
    var hi = bytes.count
    while lo < hi, HeaderParameterParser.isSpace(bytes[lo]) { lo += 1 }
    while hi > lo, HeaderParameterParser.isSpace(bytes[hi - 1]) { hi -= 1 }
    return String(decoding: bytes[lo..<hi], as: UTF8.self)
}

/// Split on `separator`, each piece trimmed; a separator at the very end adds no piece.
/// Bytes, not Characters: a combining mark after `,` must not hide the comma.
private func plainSplit(_ text: some StringProtocol, _ separator: UInt8) -> [String] {
    let bytes = Array(text.utf8)
    guard !bytes.isEmpty else { return [] }
    var pieces = bytes.split(separator: separator, omittingEmptySubsequences: false).map { trim(String(decoding: $0, as: UTF8.self)) }
    if bytes.last == separator { pieces.removeLast() }
    return pieces
}

private func plainParameters(_ element: String, rawFirst: Bool) -> HeaderParameters {
    var rest = Array(element.utf8)[...]
    var items: [HeaderParameter] = []
    if rawFirst {
        let end = rest.firstIndex(of: UInt8(ascii: ";")) ?? rest.endIndex
        items.append(HeaderParameter(trim(String(decoding: rest[..<end], as: UTF8.self))))
        rest = end == rest.endIndex ? [] : rest[(end + 1)...]
    }
    for piece in plainSplit(String(decoding: rest, as: UTF8.self), UInt8(ascii: ";")) {
        let bytes = Array(piece.utf8)
        if let equals = bytes.firstIndex(of: UInt8(ascii: "=")) {
            items.append(HeaderParameter(
                trim(String(decoding: bytes[..<equals], as: UTF8.self)),
                trim(String(decoding: bytes[(equals + 1)...], as: UTF8.self))))
        } else {
            items.append(HeaderParameter(piece))
        }
    }
    return HeaderParameters(items)
}
