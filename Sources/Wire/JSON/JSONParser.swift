/// Strict RFC 8259 parser over borrowed UTF-8 bytes.
///
/// It walks the bytes with an index and never recurses: open containers live on an
/// explicit frame stack, and their finished elements on one shared value stack, so
/// nesting costs no call-stack depth and is capped at `depthMax` with an error.
/// Strings without escapes become a `String` in one step from the input bytes;
/// strings with escapes are assembled in a reused scratch buffer.
struct JSONParser {
    /// Deepest container nesting accepted; one more is an error, not a crash.
    static let depthMax = 512

    /// An open array or object: where its elements (and keys) start on the shared stacks.
    private struct Frame {
        var isObject: Bool
        var valueStart: Int
        var keyStart: Int
    }

    let bytes: UnsafeRawBufferPointer
    var position = 0
    private var frames: [Frame] = []
    private var values: [JSONValue] = []
    private var keys: [String] = []
    /// Decoded bytes of the string being unescaped; reused across strings.
    var scratch: [UInt8] = []

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    static func parseDocument(_ bytes: UnsafeRawBufferPointer) throws(JSONError) -> JSONValue {
        var parser = JSONParser(bytes)
        return try parser.parseDocument()
    }

    private mutating func parseDocument() throws(JSONError) -> JSONValue {
        var value = try parseValueOrOpen()
        while true {
            guard let completed = value else {
                value = try parseValueOrOpen()
                continue
            }
            guard let frame = frames.last else {
                skipWhitespace()
                guard position == bytes.count else { throw error("unexpected data after the top-level value") }
                return completed
            }
            values.append(completed)
            skipWhitespace()
            guard position < bytes.count else { throw error("unexpected end of input") }
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: ",") {
                if frame.isObject { try parseMemberKey() }
                value = nil
            } else if byte == (frame.isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                value = closeContainer()
            } else {
                position -= 1
                throw error(frame.isObject ? "expected ',' or '}'" : "expected ',' or ']'")
            }
        }
    }

    /// Parses a scalar (returned) or opens a container (pushed, returns nil);
    /// an empty container is returned complete.
    private mutating func parseValueOrOpen() throws(JSONError) -> JSONValue? {
        skipWhitespace()
        guard position < bytes.count else { throw error("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            let isObject = bytes[position] == UInt8(ascii: "{")
            guard frames.count < Self.depthMax else { throw error("nesting deeper than \(Self.depthMax)") }
            position += 1
            skipWhitespace()
            if position < bytes.count, bytes[position] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                position += 1
                return isObject ? .object(JSONObject()) : .array([])
            }
            frames.append(Frame(isObject: isObject, valueStart: values.count, keyStart: keys.count))
            if isObject { try parseMemberKey() }
            return nil
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        default:
            throw error("unexpected \(describeByte(bytes[position]))")
        }
    }

    /// Reads `"key" :` inside an object and pushes the key.
    private mutating func parseMemberKey() throws(JSONError) {
        skipWhitespace()
        guard position < bytes.count else { throw error("unexpected end of input") }
        guard bytes[position] == UInt8(ascii: "\"") else { throw error("expected a string key") }
        keys.append(try parseString())
        skipWhitespace()
        guard position < bytes.count else { throw error("unexpected end of input") }
        guard bytes[position] == UInt8(ascii: ":") else { throw error("expected ':' after an object key") }
        position += 1
    }

    /// Pops the innermost container and builds its value from the shared stacks.
    private mutating func closeContainer() -> JSONValue {
        let frame = frames.removeLast()
        guard frame.isObject else {
            let elements = Array(values[frame.valueStart...])
            values.removeSubrange(frame.valueStart...)
            return .array(elements)
        }
        // Members straight from the stacks: one array per object, not three.
        let count = values.count - frame.valueStart
        var members: [JSONObject.Element] = []
        members.reserveCapacity(count)
        for offset in 0..<count {
            members.append((key: keys[frame.keyStart + offset], value: values[frame.valueStart + offset]))
        }
        values.removeSubrange(frame.valueStart...)
        keys.removeSubrange(frame.keyStart...)
        return .object(JSONObject(members: members))
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONError) {
        let count = literal.utf8CodeUnitCount
        for offset in 0..<count {
            guard position + offset < bytes.count else {
                position = bytes.count
                throw error("unexpected end of input")
            }
            guard bytes[position + offset] == literal.utf8Start[offset] else {
                position += offset
                throw error("invalid literal (expected \(literal))")
            }
        }
        position += count
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    func error(_ message: String) -> JSONError {
        JSONError(offset: position, message: message)
    }

    func describeByte(_ byte: UInt8) -> String {
        if byte >= 0x21, byte < 0x7F { return "character '\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }
}

extension JSONParser {
    /// number = [ "-" ] int [ frac ] [ exp ]; int = "0" / digit1-9 *digit.
    /// An integer literal that fits `Int` becomes `.int`; anything else `.double`.
    /// A number too large for a finite `Double` is rejected rather than becoming infinity.
    private mutating func parseNumber() throws(JSONError) -> JSONValue {
        let start = position
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else {
            throw error("invalid number: expected a digit")
        }
        // Accumulate as a negative value so Int.min fits.
        var accumulated = 0
        var fitsInt = true
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) { throw error("invalid number: leading zero") }
        } else {
            while position < bytes.count, isDigit(bytes[position]) {
                let digit = Int(bytes[position] &- UInt8(ascii: "0"))
                if fitsInt {
                    let (times10, overflow1) = accumulated.multipliedReportingOverflow(by: 10)
                    let (next, overflow2) = times10.subtractingReportingOverflow(digit)
                    if overflow1 || overflow2 { fitsInt = false } else { accumulated = next }
                }
                position += 1
            }
        }
        var isInteger = true
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw error("invalid number: expected a digit after '.'")
            }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw error("invalid number: expected a digit in the exponent")
            }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if isInteger, fitsInt {
            if negative { return .int(accumulated) }
            if accumulated != Int.min { return .int(-accumulated) }
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            position = start
            throw error("number out of range")
        }
        return .double(value)
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
