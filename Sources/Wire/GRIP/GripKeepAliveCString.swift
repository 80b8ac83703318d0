/// `Grip-Keep-Alive: <data>; format=cstring`: C-style escapes in a header value.
enum GripKeepAliveCString {
    /// Understands `\\`, `\r`, `\n` and `\xHH`; any other escaped character is dropped
    /// together with its backslash (as Pushpin does). nil for a trailing backslash, a
    /// short or non-hex `\x`, or a result with no bytes at all.
    static func unescape(_ text: String) -> [UInt8]? {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                continue
            }
            guard index < bytes.count else { return nil }
            let escaped = bytes[index]
            index += 1
            switch escaped {
            case UInt8(ascii: "\\"): out.append(escaped)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "x"):
                guard index + 1 < bytes.count,
                      let high = HTTPASCII.hexValue(bytes[index]),
                      let low = HTTPASCII.hexValue(bytes[index + 1]) else { return nil }
                out.append(UInt8(high << 4 | low))
                index += 2
            default:
                continue
            }
        }
        return out.isEmpty ? nil : out
    }
}
