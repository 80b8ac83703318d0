/// A field that failed validation, worded exactly as Pushpin words it
/// (e.g. `'http-stream' contains 'content' with wrong type`).
struct PushpinFieldError: Error, Equatable {
    var message: String
    /// A check of pushpind's own, which Pushpin does not make: the request parser then
    /// names the item too, since nothing in the message is Pushpin's to match.
    var isPushpindCheck = false

    init(_ message: String) {
        self.message = message
    }
}

/// Typed reads of JSON object members with Pushpin's error wording, shared by the
/// publish parser and the JSON instruct parser so both reject the same inputs
/// with the same text. `parent` is the name used in messages (`publish item object`,
/// `'ws-message'`, `hold`, ...). Absent optional members read as nil.
enum PushpinFields {
    static func missing(_ parent: String, _ key: String) -> PushpinFieldError {
        PushpinFieldError("\(parent) does not contain '\(key)'")
    }

    static func wrongType(_ parent: String, _ key: String) -> PushpinFieldError {
        PushpinFieldError("\(parent) contains '\(key)' with wrong type")
    }

    static func invalidValue(_ parent: String, _ key: String) -> PushpinFieldError {
        PushpinFieldError("\(parent) contains '\(key)' with invalid value")
    }

    /// A value Pushpin would take but pushpind refuses to write (see `HTTPFieldRules`),
    /// with why.
    static func invalidValue(_ parent: String, _ key: String, because detail: String) -> PushpinFieldError {
        var error = PushpinFieldError("\(parent) contains '\(key)' with invalid value: \(detail)")
        error.isPushpindCheck = true
        return error
    }

    /// A `*-bin` member: canonical base64 (standard alphabet, padded), else invalid.
    static func base64(_ object: JSONObject, _ parent: String, _ key: String) throws(PushpinFieldError) -> [UInt8]? {
        guard let text = try string(object, parent, key) else { return nil }
        guard let bytes = Base64.decodeCanonical(text) else {
            throw invalidValue(parent, key, because: "not canonical base64")
        }
        return bytes
    }

    /// A member that must be a string when present (JSON null is a wrong type).
    static func string(
        _ object: JSONObject, _ parent: String, _ key: String, required: Bool = false
    ) throws(PushpinFieldError) -> String? {
        guard let value = object[key] else {
            if required { throw missing(parent, key) }
            return nil
        }
        guard case .string(let text) = value else { throw wrongType(parent, key) }
        return text
    }

    static func object(
        _ object: JSONObject, _ parent: String, _ key: String
    ) throws(PushpinFieldError) -> JSONObject? {
        guard let value = object[key] else { return nil }
        guard case .object(let member) = value else { throw wrongType(parent, key) }
        return member
    }

    static func list(
        _ object: JSONObject, _ parent: String, _ key: String, required: Bool = false
    ) throws(PushpinFieldError) -> [JSONValue]? {
        guard let value = object[key] else {
            if required { throw missing(parent, key) }
            return nil
        }
        guard case .array(let elements) = value else { throw wrongType(parent, key) }
        return elements
    }

    /// A member read as Pushpin reads ints (strings, booleans and fractions convert;
    /// see `PushpinInteger.coerce`); null, arrays and objects are a wrong type.
    static func int(
        _ object: JSONObject, _ parent: String, _ key: String
    ) throws(PushpinFieldError) -> Int? {
        guard let value = object[key] else { return nil }
        guard PushpinInteger.isConvertible(value) else { throw wrongType(parent, key) }
        return PushpinInteger.coerce(value)
    }

    /// A list of strings (`content-filters`, instruct `filters`); `elementError`
    /// is the message for a non-string element.
    static func strings(_ elements: [JSONValue], elementError: String) throws(PushpinFieldError) -> [String] {
        var result: [String] = []
        result.reserveCapacity(elements.count)
        for element in elements {
            guard case .string(let text) = element else { throw PushpinFieldError(elementError) }
            result.append(text)
        }
        return result
    }

    /// An object whose values must all be strings (`meta`, `headers` as an object).
    /// A repeated key keeps its last value, at the place it first appeared. When several
    /// values are bad, the one reported is the first in UTF-16 key order, because
    /// Pushpin walks a sorted map; `badValue` builds its message from the key.
    static func stringPairs(
        _ object: JSONObject, badValue: (String) -> String
    ) throws(PushpinFieldError) -> [(key: String, value: JSONValue)] {
        var pairs: [(key: String, value: JSONValue)] = []
        var positions: [String: Int] = [:]
        for member in object {
            if let position = positions[member.key] {
                pairs[position].value = member.value
            } else {
                positions[member.key] = pairs.count
                pairs.append(member)
            }
        }
        var firstBad: String?
        for pair in pairs where pair.value.stringValue == nil {
            if let current = firstBad, !utf16Precedes(pair.key, current) { continue }
            firstBad = pair.key
        }
        if let firstBad { throw PushpinFieldError(badValue(firstBad)) }
        return pairs
    }

    /// A request or instruct body as Pushpin's JSON reader takes it: one object or
    /// array (a bare scalar is not a document), optionally after a UTF-8 BOM.
    /// nil when it is not such a document.
    static func parseDocument(_ bytes: [UInt8]) -> JSONValue? {
        let text = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        guard let value = try? JSONValue.parse(text) else { return nil }
        switch value {
        case .object, .array: return value
        default: return nil
        }
    }

    /// Qt's QString ordering: UTF-16 code units compared one by one.
    static func utf16Precedes(_ a: String, _ b: String) -> Bool {
        a.utf16.lexicographicallyPrecedes(b.utf16)
    }
}
