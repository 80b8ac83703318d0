/// One `name[=value]` piece of a header element such as `c1; prev-id=7; filter=skip-self`.
/// `value` is nil when the piece has no `=`; a quoted value arrives unquoted.
struct HeaderParameter: Sendable, Equatable {
    var name: String
    var value: String?

    init(_ name: String, _ value: String? = nil) {
        self.name = name
        self.value = value
    }
}

/// The parameters of one list element, in order; lookups ignore ASCII case in names.
struct HeaderParameters: Sendable, Equatable {
    var items: [HeaderParameter]

    init(_ items: [HeaderParameter] = []) {
        self.items = items
    }

    var isEmpty: Bool { items.isEmpty }
    var count: Int { items.count }
    var first: HeaderParameter? { items.first }

    func contains(_ name: String) -> Bool {
        items.contains { HTTPHeaders.namesEqual($0.name, name) }
    }

    /// The value of the first parameter called `name`; nil when absent or valueless.
    func value(_ name: String) -> String? {
        items.first { HTTPHeaders.namesEqual($0.name, name) }?.value
    }
}

/// Splits GRIP header values the way Pushpin reads them, so backends written
/// against Pushpin get the same channels, meta and keep-alive bytes.
///
/// Rules (checked against Pushpin 1.36):
/// - A field value is a comma-separated list; commas inside `"..."` (with `\` escapes)
///   do not split. Elements are trimmed; empty elements are kept (`a,,b` has three),
///   but a trailing comma adds none. An unterminated quote makes the rest one element.
/// - Inside an element, `;` separates parameters; `name=value` or bare `name`.
///   A value starting with `"` right after `=` is a quoted string whose `\` escapes
///   the next byte and which may contain `;` and `,`; bytes after its closing quote up
///   to the next `;` are ignored. An unterminated quoted value makes the element invalid.
/// - With `rawFirst` the first parameter is everything before the first `;`, taken as
///   is (no `=` split, no unquoting): a channel name or keep-alive payload.
enum HeaderParameterParser {
    /// The elements of one comma-separated field value, trimmed.
    static func splitList(_ value: String) -> [String] {
        let bytes = Array(value.utf8)
        var parts: [String] = []
        var start = 0
        while start < bytes.count {
            if let comma = nextUnquotedComma(bytes, from: start) {
                parts.append(trimmedString(bytes, start, comma))
                start = comma + 1
            } else {
                parts.append(trimmedString(bytes, start, bytes.count))
                start = bytes.count
            }
        }
        return parts
    }

    /// Every element of every field called `name`, in order (from field `start` on).
    static func listElements(_ headers: HTTPHeaders, _ name: String, from start: Int = 0) -> [String] {
        headers.values(name, from: start).flatMap(splitList)
    }

    /// The parameters of one element; nil when a quoted value is unterminated.
    static func parse(_ element: String, rawFirst: Bool) -> HeaderParameters? {
        let bytes = Array(element.utf8)
        var result: [HeaderParameter] = []
        var start = 0
        if rawFirst {
            let end = bytes.firstIndex(of: semicolon) ?? bytes.count
            result.append(HeaderParameter(trimmedString(bytes, 0, end)))
            start = end + 1
        }
        while start < bytes.count {
            guard let at = bytes[start...].firstIndex(where: { $0 == equals || $0 == semicolon }) else {
                result.append(HeaderParameter(trimmedString(bytes, start, bytes.count)))
                break
            }
            let name = trimmedString(bytes, start, at)
            if bytes[at] == semicolon {
                result.append(HeaderParameter(name))
                start = at + 1
                continue
            }
            let valueStart = at + 1
            if valueStart < bytes.count, bytes[valueStart] == quote {
                guard let (value, closing) = quotedString(bytes, from: valueStart + 1) else { return nil }
                result.append(HeaderParameter(name, value))
                start = (bytes[closing...].firstIndex(of: semicolon) ?? bytes.count) + 1
            } else {
                let end = bytes[valueStart...].firstIndex(of: semicolon) ?? bytes.count
                result.append(HeaderParameter(name, trimmedString(bytes, valueStart, end)))
                start = end + 1
            }
        }
        return HeaderParameters(result)
    }

    private static let comma = UInt8(ascii: ",")
    private static let semicolon = UInt8(ascii: ";")
    private static let equals = UInt8(ascii: "=")
    private static let quote = UInt8(ascii: "\"")
    private static let backslash = UInt8(ascii: "\\")

    /// Position of the next comma outside quotes, or nil when there is none (or a
    /// quote or escape runs off the end, which makes the rest a single element).
    private static func nextUnquotedComma(_ bytes: [UInt8], from start: Int) -> Int? {
        var inQuote = false
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if inQuote {
                if byte == backslash {
                    index += 1
                    if index >= bytes.count { return nil }
                } else if byte == quote {
                    inQuote = false
                }
            } else if byte == quote {
                inQuote = true
            } else if byte == comma {
                return index
            }
            index += 1
        }
        return nil
    }

    /// The unescaped content of a quoted string starting after its opening quote,
    /// and the position just past the closing quote; nil when it never closes.
    private static func quotedString(_ bytes: [UInt8], from start: Int) -> (String, Int)? {
        var content: [UInt8] = []
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == backslash {
                index += 1
                guard index < bytes.count else { return nil }
                content.append(bytes[index])
            } else if byte == quote {
                return (String(decoding: content, as: UTF8.self), index + 1)
            } else {
                content.append(byte)
            }
            index += 1
        }
        return nil
    }

    /// `bytes[from..<to]` without leading and trailing whitespace (SP, HTAB, CR, LF, VT, FF).
    static func trimmedString(_ bytes: [UInt8], _ from: Int, _ to: Int) -> String {
        var lo = from
        var hi = to
        while lo < hi, isSpace(bytes[lo]) { lo += 1 }
        while hi > lo, isSpace(bytes[hi - 1]) { hi -= 1 }
        return String(decoding: bytes[lo..<hi], as: UTF8.self)
    }

    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }
}
