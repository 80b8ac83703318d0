/// A parsed JSON document (RFC 8259), or one built in code to be serialized.
///
/// Numbers keep the distinction the text made: an integer literal that fits `Int`
/// is `.int`, everything else (fraction, exponent, or too large) is `.double`.
/// Equality is structural and exact: `.int(1) != .double(1)`.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// An integer literal (no fraction, no exponent) that fits `Int`.
    case int(Int)
    /// Any other number. Never NaN or infinite when produced by the parser.
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

extension JSONValue {
    /// The string payload, or nil for any other kind.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// `.int`, or a `.double` holding an integral value that fits `Int` (`2.0`, `1e3`).
    public var intValue: Int? {
        switch self {
        case .int(let value): return value
        case .double(let value):
            // Range check first (also rejects NaN); a plain conversion then needs no libm
            // (`Int(exactly:)` calls `trunc`, which non-Foundation executables do not link).
            guard value >= -0x1p63, value < 0x1p63 else { return nil }
            let truncated = Int(value)
            return Double(truncated) == value ? truncated : nil
        default: return nil
        }
    }

    /// Any number as a `Double` (an `.int` converts, rounding beyond 2^53).
    public var doubleValue: Double? {
        switch self {
        case .double(let value): return value
        case .int(let value): return Double(value)
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The JSON type name, for error messages such as `"items[0].channel: expected string, got number"`.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .int, .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

extension JSONValue {
    /// Parses exactly one JSON value (whitespace allowed around it) from UTF-8 bytes.
    public static func parse(_ bytes: [UInt8]) throws(JSONError) -> JSONValue {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONError) -> JSONValue in try JSONParser.parseDocument(buffer) }
        }
        return try result.get()
    }

    /// Parses exactly one JSON value from UTF-8 bytes the caller keeps alive for the call.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONError) -> JSONValue {
        try JSONParser.parseDocument(bytes)
    }

    /// Parses exactly one JSON value from text.
    public static func parse(_ text: String) throws(JSONError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { buffer in
            Result { () throws(JSONError) -> JSONValue in try JSONParser.parseDocument(UnsafeRawBufferPointer(buffer)) }
        }
        return try result.get()
    }
}
