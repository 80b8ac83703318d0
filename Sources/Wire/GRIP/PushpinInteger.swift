/// Integer reading with Pushpin's exact acceptance rules, so a value Pushpin takes
/// (or refuses) is taken (or refused) here too.
///
/// Pushpin reads header numbers as C `strtol`-style decimal into a 32-bit int, and
/// JSON numbers through Qt's variant conversion, which accepts strings and booleans
/// and rounds fractions; both behaviours were confirmed against Pushpin 1.36.
enum PushpinInteger {
    /// A header number (`Grip-Timeout`, `timeout=` parameters, `Grip-Status`):
    /// optional surrounding whitespace, optional sign, decimal digits, fitting Int32.
    /// `+6` is 6; `6.5`, `0x10`, `` and `99999999999` are nil.
    static func parseHeaderInt(_ text: String) -> Int? {
        guard let value = parseInt64(text), let narrow = Int32(exactly: value) else { return nil }
        return Int(narrow)
    }

    /// Whether a JSON value may be read as an int: numbers, strings and booleans may;
    /// null, arrays and objects may not ("... with wrong type").
    static func isConvertible(_ value: JSONValue) -> Bool {
        switch value {
        case .int, .double, .string, .bool: return true
        case .null, .array, .object: return false
        }
    }

    /// The int a convertible JSON value stands for, as Pushpin computes it:
    /// fractions round half up (`200.5` → 201, `-0.5` → 0), strings parse as decimal
    /// (`" 404 "` → 404, `"abc"` → 0), booleans are 0/1, and the result is cut to
    /// 32 bits (`4294967496` → 200). Call only when `isConvertible` is true.
    static func coerce(_ value: JSONValue) -> Int {
        let wide: Int64
        switch value {
        case .int(let number): wide = Int64(number)
        case .double(let number): wide = roundHalfUp(number)
        case .string(let text): wide = parseInt64(text) ?? 0
        case .bool(let flag): wide = flag ? 1 : 0
        case .null, .array, .object: wide = 0
        }
        return Int(Int32(truncatingIfNeeded: wide))
    }

    /// Rounds like Qt's `qRound64`; values beyond Int64 give 0 (what the x86
    /// conversion Pushpin relies on produces once cut to 32 bits).
    private static func roundHalfUp(_ number: Double) -> Int64 {
        guard number > -0x1p63, number < 0x1p63 else { return 0 }
        if number >= 0 { return Int64(number + 0.5) }
        let below = Int64(number - 1)
        return Int64(number - Double(below) + 0.5) + below
    }

    /// Decimal with optional sign and surrounding whitespace, fitting Int64.
    private static func parseInt64(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        var lo = 0
        var hi = bytes.count
        while lo < hi, HeaderParameterParser.isSpace(bytes[lo]) { lo += 1 }
        while hi > lo, HeaderParameterParser.isSpace(bytes[hi - 1]) { hi -= 1 }
        var negative = false
        if lo < hi, bytes[lo] == UInt8(ascii: "+") || bytes[lo] == UInt8(ascii: "-") {
            negative = bytes[lo] == UInt8(ascii: "-")
            lo += 1
        }
        guard lo < hi else { return nil }
        var magnitude: UInt64 = 0
        for byte in bytes[lo..<hi] {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times, overflowA) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = times.addingReportingOverflow(UInt64(digit))
            guard !overflowA, !overflowB else { return nil }
            magnitude = sum
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        return Int64(exactly: magnitude)
    }
}
