/// Decodes exactly one tnetstring: `LENGTH:DATA` followed by a type byte
/// (`,` bytes, `#` integer, `^` float, `!` boolean, `~` null, `]` list, `}` dictionary).
///
/// Pure and bounded: lengths are checked against the input before anything is read,
/// and nesting stops at `maxDepth`, so hostile input costs at most one pass.
public enum TnetstringDecoder {
    public static let maxDepth = 64
    /// Tnetstrings limit the length prefix to nine digits.
    static let maxLengthDigits = 9

    public static func decode(_ bytes: [UInt8]) throws(TnetstringError) -> TnetValue {
        try bytes.withUnsafeBufferPointer { (buffer) throws(TnetstringError) -> TnetValue in
            try decode(buffer)
        }
    }

    /// The value must span the whole input.
    public static func decode(_ bytes: UnsafeBufferPointer<UInt8>) throws(TnetstringError) -> TnetValue {
        let (value, end) = try element(bytes, from: 0, to: bytes.count, depth: 0)
        guard end == bytes.count else { throw TnetstringError(offset: end, message: "trailing data after the value") }
        return value
    }

    /// One element starting at `start`; returns it and the offset after its type byte.
    private static func element(
        _ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to limit: Int, depth: Int
    ) throws(TnetstringError) -> (TnetValue, Int) {
        guard depth < maxDepth else { throw TnetstringError(offset: start, message: "nested deeper than \(maxDepth)") }
        var cursor = start
        var length = 0
        while cursor < limit, bytes[cursor] != UInt8(ascii: ":") {
            let digit = bytes[cursor]
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else {
                throw TnetstringError(offset: cursor, message: "length is not a decimal number")
            }
            guard cursor - start < maxLengthDigits else { throw TnetstringError(offset: cursor, message: "length has too many digits") }
            length = length * 10 + Int(digit - UInt8(ascii: "0"))
            cursor += 1
        }
        guard cursor < limit else { throw TnetstringError(offset: cursor, message: "missing ':' after the length") }
        guard cursor > start else { throw TnetstringError(offset: cursor, message: "missing length") }
        let dataStart = cursor + 1
        guard length < limit - dataStart else {
            throw TnetstringError(offset: dataStart, message: "length \(length) runs past the end of the input")
        }
        let dataEnd = dataStart + length
        let data = UnsafeBufferPointer(rebasing: bytes[dataStart..<dataEnd])
        let value: TnetValue
        switch bytes[dataEnd] {
        case UInt8(ascii: ","):
            value = .bytes(Array(data))
        case UInt8(ascii: "#"):
            guard let number = integer(data) else { throw TnetstringError(offset: dataStart, message: "invalid integer") }
            value = .int(number)
        case UInt8(ascii: "^"):
            guard let number = float(data) else { throw TnetstringError(offset: dataStart, message: "invalid float") }
            value = .double(number)
        case UInt8(ascii: "!"):
            if data.elementsEqual("true".utf8) {
                value = .bool(true)
            } else if data.elementsEqual("false".utf8) {
                value = .bool(false)
            } else {
                throw TnetstringError(offset: dataStart, message: "boolean is neither true nor false")
            }
        case UInt8(ascii: "~"):
            guard length == 0 else { throw TnetstringError(offset: dataStart, message: "null with data") }
            value = .null
        case UInt8(ascii: "]"):
            var items: [TnetValue] = []
            var at = dataStart
            while at < dataEnd {
                let (item, next) = try element(bytes, from: at, to: dataEnd, depth: depth + 1)
                items.append(item)
                at = next
            }
            value = .list(items)
        case UInt8(ascii: "}"):
            var members: [(key: [UInt8], value: TnetValue)] = []
            var at = dataStart
            while at < dataEnd {
                let (key, afterKey) = try element(bytes, from: at, to: dataEnd, depth: depth + 1)
                guard case .bytes(let name) = key else { throw TnetstringError(offset: at, message: "dictionary key is not a string") }
                guard afterKey < dataEnd else { throw TnetstringError(offset: afterKey, message: "dictionary key without a value") }
                let (member, next) = try element(bytes, from: afterKey, to: dataEnd, depth: depth + 1)
                members.append((key: name, value: member))
                at = next
            }
            value = .dict(members)
        default:
            throw TnetstringError(offset: dataEnd, message: "unknown type byte")
        }
        return (value, dataEnd + 1)
    }

    /// An optional `-` then decimal digits, within `Int`.
    private static func integer(_ data: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let text = String(validating: data, as: UTF8.self) else { return nil }
        return Int(text)
    }

    private static func float(_ data: UnsafeBufferPointer<UInt8>) -> Double? {
        guard let text = String(validating: data, as: UTF8.self), let number = Double(text), number.isFinite else { return nil }
        return number
    }
}
