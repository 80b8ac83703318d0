/// A tnetstring value (tnetstrings.info): the encoding of Pushpin's ZeroMQ sockets.
///
/// Strings are bytes, as on the wire; dictionary keys are byte strings too and keep
/// the order they were written in.
public enum TnetValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case bytes([UInt8])
    case list([TnetValue])
    case dict([(key: [UInt8], value: TnetValue)])

    public static let emptyDict = TnetValue.dict([(key: [UInt8], value: TnetValue)]())

    public static func string(_ text: String) -> TnetValue { .bytes(Array(text.utf8)) }

    public static func dict(_ pairs: [(String, TnetValue)]) -> TnetValue {
        .dict(pairs.map { (key: Array($0.0.utf8), value: $0.1) })
    }

    /// The value of the last member named `key`, for a dictionary.
    public subscript(key: String) -> TnetValue? {
        guard case .dict(let members) = self else { return nil }
        let wanted = Array(key.utf8)
        return members.last { $0.key == wanted }?.value
    }

    public var bytesValue: [UInt8]? {
        if case .bytes(let value) = self { return value }
        return nil
    }

    /// The bytes as text, when they are valid UTF-8.
    public var stringValue: String? {
        guard case .bytes(let value) = self else { return nil }
        return String(validating: value, as: UTF8.self)
    }

    public static func == (lhs: TnetValue, rhs: TnetValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        case let (.double(a), .double(b)): return a == b
        case let (.bytes(a), .bytes(b)): return a == b
        case let (.list(a), .list(b)): return a == b
        case let (.dict(a), .dict(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }
}
