/// String literals: escapes, `\uXXXX` surrogate pairs, and UTF-8 validation.
///
/// The input is validated byte by byte (RFC 3629: no overlongs, no encoded
/// surrogates, nothing above U+10FFFF), so building the `String` afterwards
/// never has to repair anything.
extension JSONParser {
    /// Parses the string starting at the opening quote under `position`.
    mutating func parseString() throws(JSONError) -> String {
        guard let range = try scanString() else { return String(decoding: scratch, as: UTF8.self) }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// The string starting at the opening quote under `position`, as its UTF-8 bytes.
    mutating func parseStringBytes() throws(JSONError) -> [UInt8] {
        guard let range = try scanString() else { return scratch }
        return Array(UnsafeRawBufferPointer(rebasing: bytes[range]))
    }

    /// Validates the string starting at the opening quote under `position` and moves past it.
    /// Returns the input range of its contents when it has no escapes; otherwise nil, with
    /// the decoded contents in `scratch`.
    mutating func scanString() throws(JSONError) -> Range<Int>? {
        position += 1
        let start = position
        // Fast path: no escapes, the string is a slice of the input.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return start..<position - 1
            }
            if byte == UInt8(ascii: "\\") { break }
            try advanceOverStringByte(byte)
        }
        guard position < bytes.count else { throw error("unterminated string") }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<position]))
        try parseEscapedRemainder()
        return nil
    }

    /// Continues a string after its first backslash, decoding into `scratch`.
    private mutating func parseEscapedRemainder() throws(JSONError) {
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return
            }
            if byte == UInt8(ascii: "\\") {
                try parseEscape()
                continue
            }
            let runStart = position
            try advanceOverStringByte(byte)
            scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<position]))
        }
        throw error("unterminated string")
    }

    /// Moves past one unescaped character (one to four bytes), rejecting control
    /// characters and invalid UTF-8.
    private mutating func advanceOverStringByte(_ byte: UInt8) throws(JSONError) {
        if byte < 0x20 { throw error("unescaped control character in string") }
        if byte < 0x80 {
            position += 1
            return
        }
        position += try utf8SequenceLength(at: position)
    }

    /// Length of the valid UTF-8 sequence whose lead byte is at `offset`, or an error.
    private func utf8SequenceLength(at offset: Int) throws(JSONError) -> Int {
        let lead = bytes[offset]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: throw JSONError(offset: offset, message: "invalid UTF-8")
        }
        for index in 1..<length {
            let at = offset + index
            let range = index == 1 ? secondRange : 0x80...0xBF
            guard at < bytes.count, range.contains(bytes[at]) else {
                throw JSONError(offset: at, message: "invalid UTF-8")
            }
        }
        return length
    }

    /// Decodes one escape sequence starting at the backslash under `position`.
    private mutating func parseEscape() throws(JSONError) {
        position += 1
        guard position < bytes.count else { throw error("unterminated string") }
        let decoded: UInt8
        switch bytes[position] {
        case UInt8(ascii: "\""): decoded = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): decoded = UInt8(ascii: "\\")
        case UInt8(ascii: "/"): decoded = UInt8(ascii: "/")
        case UInt8(ascii: "b"): decoded = 0x08
        case UInt8(ascii: "f"): decoded = 0x0C
        case UInt8(ascii: "n"): decoded = 0x0A
        case UInt8(ascii: "r"): decoded = 0x0D
        case UInt8(ascii: "t"): decoded = 0x09
        case UInt8(ascii: "u"):
            try parseUnicodeEscape()
            return
        default:
            throw error("invalid escape sequence")
        }
        scratch.append(decoded)
        position += 1
    }

    /// `\uXXXX`, pairing a high surrogate with the `\uXXXX` low surrogate that must follow it.
    private mutating func parseUnicodeEscape() throws(JSONError) {
        let escapeStart = position - 1
        position += 1
        let unit = try parseHex4()
        var scalarValue = UInt32(unit)
        if (0xDC00...0xDFFF).contains(unit) {
            throw JSONError(offset: escapeStart, message: "lone low surrogate \\u\(hex4(unit))")
        }
        if (0xD800...0xDBFF).contains(unit) {
            guard position + 1 < bytes.count,
                bytes[position] == UInt8(ascii: "\\"),
                bytes[position + 1] == UInt8(ascii: "u")
            else {
                throw JSONError(offset: escapeStart, message: "lone high surrogate \\u\(hex4(unit))")
            }
            position += 2
            let low = try parseHex4()
            guard (0xDC00...0xDFFF).contains(low) else {
                throw JSONError(offset: escapeStart, message: "lone high surrogate \\u\(hex4(unit))")
            }
            scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
        }
        appendUTF8(scalarValue)
    }

    /// Encodes a scalar value (never a surrogate, at most U+10FFFF) into `scratch`.
    private mutating func appendUTF8(_ value: UInt32) {
        switch value {
        case ..<0x80:
            scratch.append(UInt8(value))
        case ..<0x800:
            scratch.append(0xC0 | UInt8(value >> 6))
            scratch.append(0x80 | UInt8(value & 0x3F))
        case ..<0x10000:
            scratch.append(0xE0 | UInt8(value >> 12))
            scratch.append(0x80 | UInt8((value >> 6) & 0x3F))
            scratch.append(0x80 | UInt8(value & 0x3F))
        default:
            scratch.append(0xF0 | UInt8(value >> 18))
            scratch.append(0x80 | UInt8((value >> 12) & 0x3F))
            scratch.append(0x80 | UInt8((value >> 6) & 0x3F))
            scratch.append(0x80 | UInt8(value & 0x3F))
        }
    }

    private mutating func parseHex4() throws(JSONError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard position < bytes.count else { throw error("unterminated string") }
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid \\u escape: expected a hex digit")
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }

    private func hex4(_ unit: UInt16) -> String {
        let digits = String(unit, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }
}
