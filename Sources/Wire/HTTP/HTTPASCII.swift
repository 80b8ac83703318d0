/// Byte classes and small ASCII helpers shared by the HTTP/1.1 codecs.
///
/// Everything here works on raw bytes or on a String's UTF-8 view, so lookups
/// and checks on the hot path neither allocate nor compare Unicode-aware.
enum HTTPASCII {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let sp: UInt8 = 0x20
    static let htab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let comma: UInt8 = 0x2C

    /// RFC 9110 `tchar` as a 128-bit set split in two words (bytes 0–63, 64–127);
    /// bit tests beat a table behind a lazily initialised global.
    private static let tokenLow: UInt64 = 0x03FF_6CFA_0000_0000
    private static let tokenHigh: UInt64 = 0x57FF_FFFF_C7FF_FFFE

    @inline(__always)
    static func isToken(_ byte: UInt8) -> Bool {
        if byte < 64 { return tokenLow & (1 &<< UInt64(byte)) != 0 }
        if byte < 128 { return tokenHigh & (1 &<< UInt64(byte &- 64)) != 0 }
        return false
    }

    /// Optional whitespace (RFC 9110 OWS): SP or HTAB.
    @inline(__always)
    static func isOWS(_ byte: UInt8) -> Bool {
        byte == sp || byte == htab
    }

    /// field-vchar / obs-text plus the SP and HTAB allowed between them;
    /// i.e. anything but control characters (NUL, CR, LF, DEL, ...).
    @inline(__always)
    static func isFieldContent(_ byte: UInt8) -> Bool {
        byte == htab || (byte >= 0x20 && byte != 0x7F)
    }

    /// True when every byte of `bytes[from..<to]` is field content. Tests eight
    /// bytes per step: values (User-Agent, Cookie) are most of a head's bytes.
    static func isFieldContent(_ bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var i = from
        while i + 8 <= to {
            let word = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            // Bit-twiddling "has a byte < 0x20" and "has a byte == 0x7F"; exact
            // about existence, so a clean word needs no further look.
            let control = (word &- ones &* 0x20) & ~word & highs
            let del = word ^ (ones &* 0x7F)
            if control | ((del &- ones) & ~del & highs) != 0 {
                for k in i..<(i + 8) where !isFieldContent(bytes[k]) { return false }
            }
            i += 8
        }
        while i < to {
            if !isFieldContent(bytes[i]) { return false }
            i += 1
        }
        return true
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- 0x30 < 10
    }

    /// Value of a hex digit, or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: return Int(byte &- 0x30)
        case 0x41...0x46: return Int(byte &- 0x41 &+ 10)
        case 0x61...0x66: return Int(byte &- 0x61 &+ 10)
        default: return nil
        }
    }

    @inline(__always)
    static func lower(_ byte: UInt8) -> UInt8 {
        byte &- 0x41 < 26 ? byte | 0x20 : byte
    }

    /// ASCII case-insensitive equality of two strings (header names, tokens).
    /// Runs for every field a lookup passes over: written so that it neither retains nor
    /// releases its arguments (binding `a.utf8` to a local, or a closure capturing one,
    /// costs a retain and a release of each string per call).
    static func equalsIgnoringCase(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        // Native strings are contiguous; compare their buffers directly.
        let fast = a.utf8.withContiguousStorageIfAvailable { xs in
            b.utf8.withContiguousStorageIfAvailable { ys in
                for k in 0..<xs.count where lower(xs[k]) != lower(ys[k]) { return false }
                return true
            }
        }
        if let fast, let result = fast { return result }
        return a.utf8.elementsEqual(b.utf8) { lower($0) == lower($1) }
    }

    /// Whether `text` starts with `prefix` ignoring ASCII case; `prefix` must be lower-case.
    /// Runs for every field of every proxied head (`Grip-*`, `Proxy-*` names): indexes the
    /// UTF-8 view, which reads `text` in place, where `withContiguousStorageIfAvailable`
    /// retained and released it on every call.
    static func hasPrefixIgnoringCase(_ text: String, _ prefix: String) -> Bool {
        let bytes = text.utf8
        guard bytes.count >= prefix.utf8.count else { return false }
        var index = bytes.startIndex
        for byte in prefix.utf8 {
            if lower(bytes[index]) != byte { return false }
            index = bytes.index(after: index)
        }
        return true
    }

    /// True when `list` (a comma-separated field value) has an element equal to
    /// `token`, ignoring ASCII case and the OWS around each element.
    static func listContains(_ list: String, token: String) -> Bool {
        let bytes = list.utf8
        var start = bytes.startIndex
        while start <= bytes.endIndex {
            let end = bytes[start...].firstIndex(of: comma) ?? bytes.endIndex
            if elementEquals(bytes[start..<end], token) { return true }
            if end == bytes.endIndex { break }
            start = bytes.index(after: end)
        }
        return false
    }

    /// Compares one list element (still carrying its OWS) with `token`, ignoring ASCII case.
    static func elementEquals(_ element: Substring.UTF8View, _ token: String) -> Bool {
        let trimmed = trimOWS(element)
        let wanted = token.utf8
        guard trimmed.count == wanted.count else { return false }
        return zip(trimmed, wanted).allSatisfy { lower($0) == lower($1) }
    }

    /// Splits a comma-separated field value into trimmed, non-empty elements.
    static func listElements(_ list: String) -> [Substring] {
        var result: [Substring] = []
        for part in list.utf8.split(separator: comma, omittingEmptySubsequences: false) {
            let trimmed = trimOWS(part)
            if !trimmed.isEmpty { result.append(Substring(trimmed)) }
        }
        return result
    }

    /// The bytes without leading and trailing SP/HTAB.
    static func trimOWS(_ bytes: Substring.UTF8View) -> Substring.UTF8View {
        var lo = bytes.startIndex
        var hi = bytes.endIndex
        while lo < hi, isOWS(bytes[lo]) { bytes.formIndex(after: &lo) }
        while lo < hi {
            let before = bytes.index(before: hi)
            guard isOWS(bytes[before]) else { break }
            hi = before
        }
        return bytes[lo..<hi]
    }
}
