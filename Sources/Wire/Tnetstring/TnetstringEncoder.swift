/// Writes tnetstrings; the inverse of `TnetstringDecoder`.
public enum TnetstringEncoder {
    public static func encode(_ value: TnetValue) -> [UInt8] {
        var out: [UInt8] = []
        append(value, to: &out)
        return out
    }

    public static func append(_ value: TnetValue, to out: inout [UInt8]) {
        switch value {
        case .null:
            out += "0:~".utf8
        case .bool(let flag):
            appendElement(Array((flag ? "true" : "false").utf8), type: "!", to: &out)
        case .int(let number):
            appendElement(Array(String(number).utf8), type: "#", to: &out)
        case .double(let number):
            appendElement(Array(String(number).utf8), type: "^", to: &out)
        case .bytes(let data):
            appendElement(data, type: ",", to: &out)
        case .list(let items):
            var body: [UInt8] = []
            for item in items { append(item, to: &body) }
            appendElement(body, type: "]", to: &out)
        case .dict(let members):
            var body: [UInt8] = []
            for member in members {
                appendElement(member.key, type: ",", to: &body)
                append(member.value, to: &body)
            }
            appendElement(body, type: "}", to: &out)
        }
    }

    private static func appendElement(_ data: [UInt8], type: Unicode.Scalar, to out: inout [UInt8]) {
        out += String(data.count).utf8
        out.append(UInt8(ascii: ":"))
        out += data
        out.append(UInt8(ascii: type))
    }
}
