/// Base64 decoding as Pushpin does it for `*-bin` publish fields, JSON instruct
/// `body-bin`/`content-bin` and `Grip-Keep-Alive; format=base64`: forgiving.
///
/// Every byte outside the standard alphabet (`=` included, wherever it is) is
/// skipped, and leftover bits that do not make a whole byte are dropped. So
/// `"!!!"` decodes to nothing and `"a!G=k"` to `"hi"`, and Pushpin answers
/// `Published` for them; rejecting them would break publishers that work today.
/// (Strict decoding for tokens lives in `Base64`.)
enum PushpinBase64 {
    static func decode(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 3 / 4)
        var buffer: UInt32 = 0
        var bitCount = 0
        for byte in text.utf8 {
            guard let sextet = sextetValue(byte) else { continue }
            buffer = (buffer << 6) | UInt32(sextet)
            bitCount += 6
            if bitCount >= 8 {
                bitCount -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bitCount)))
                buffer &= (1 << UInt32(bitCount)) - 1
            }
        }
        return out
    }

    @inline(__always)
    private static func sextetValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }
}
