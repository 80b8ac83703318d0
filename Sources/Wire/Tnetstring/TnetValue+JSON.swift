extension TnetValue {
    /// The value as JSON, so tnetstring publish items share the JSON item parser.
    ///
    /// Byte strings become JSON strings when they are UTF-8. A `body` or `content`
    /// member holding other bytes becomes `body-bin` / `content-bin` (base64), which
    /// the item parser decodes back to the same bytes; anywhere else, invalid UTF-8 is
    /// replaced with U+FFFD.
    public var jsonValue: JSONValue {
        switch self {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .int(let number): return .int(number)
        case .double(let number): return .double(number)
        case .bytes(let data): return .string(String(decoding: data, as: UTF8.self))
        case .list(let items): return .array(items.map(\.jsonValue))
        case .dict(let members):
            var object = JSONObject()
            for member in members {
                let key = String(decoding: member.key, as: UTF8.self)
                if key == "body" || key == "content", case .bytes(let data) = member.value,
                   String(validating: data, as: UTF8.self) == nil {
                    object[key + "-bin"] = .string(Base64.encode(data))
                } else {
                    object[key] = member.value.jsonValue
                }
            }
            return .object(object)
        }
    }
}

extension TnetValue {
    /// JSON as a tnetstring: strings become UTF-8 byte strings, members keep their order.
    public init(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .int(let number): self = .int(number)
        case .double(let number): self = .double(number)
        case .string(let text): self = .string(text)
        case .array(let items): self = .list(items.map(TnetValue.init))
        case .object(let object): self = .dict(object.map { (key: Array($0.key.utf8), value: TnetValue($0.value)) })
        }
    }
}
