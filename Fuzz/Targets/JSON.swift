@testable import Wire

/// JSON documents through `JSONValue.parse` (strict RFC 8259, explicit-stack parser).
///
/// Checks: the three entry points agree; an error's offset lies within the input; a
/// parsed value serializes to valid UTF-8 that parses back to the same value (the
/// documented `parse(value.serialized) == value`); no double is NaN or infinite.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Fuzz.bytes(data, size)
    let parsed = Result { () throws(JSONError) in try JSONValue.parse(input) }
    let fromPointer = input.withUnsafeBytes { bytes in Result { () throws(JSONError) in try JSONValue.parse(bytes) } }
    Fuzz.check(parsed == fromPointer, "[UInt8] and pointer parses differ")
    // A String holds only valid UTF-8 (invalid bytes would be repaired), so compare only then.
    if let text = String(validating: input, as: UTF8.self) {
        Fuzz.check(parsed == Result { () throws(JSONError) in try JSONValue.parse(text) }, "String parse differs")
    }
    switch parsed {
    case .failure(let error):
        Fuzz.check(error.offset >= 0 && error.offset <= input.count, "error offset \(error.offset) of \(input.count)")
    case .success(let value):
        Fuzz.check(Fuzz.isUTF8(input), "accepted invalid UTF-8")
        checkFinite(value)
        let serialized = value.serialized
        let again = Result { () throws(JSONError) in try JSONValue.parse(serialized) }
        Fuzz.check(again == .success(value), "serialized \(serialized) parses as \(again)")
    }
    return 0
}

/// Walks the value with an explicit stack (nesting may reach the parser's limit).
private func checkFinite(_ value: JSONValue) {
    var pending = [value]
    while let next = pending.popLast() {
        switch next {
        case .double(let number): Fuzz.check(number.isFinite, "non-finite double \(number)")
        case .array(let elements): pending += elements
        case .object(let object): pending += object.map(\.value)
        case .null, .bool, .int, .string: break
        }
    }
}
