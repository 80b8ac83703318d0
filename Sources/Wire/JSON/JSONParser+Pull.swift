/// Reading a document step by step, for a decoder that knows the shape it expects and builds
/// its own values straight from the bytes (see `PublishBodyReader`): no document tree, no
/// `String` for a key. Each step returns nil or false on anything it does not expect,
/// invalid JSON included, and moves no further; the caller then gives up on the whole input.
extension JSONParser {
    /// Starts reading `bytes`, which the caller keeps alive while it reads.
    static func pulling(_ bytes: UnsafeRawBufferPointer) -> JSONParser {
        JSONParser(bytes)
    }

    /// Skips whitespace, then moves past `byte` if it comes next.
    mutating func take(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    /// Whether only whitespace is left.
    mutating func atEnd() -> Bool {
        skipWhitespace()
        return position == bytes.count
    }

    /// Reads `"key":` and returns the position in `names` of the name it spells (escapes
    /// decoded), or nil when it is none of them.
    mutating func memberKey(_ names: [StaticString]) -> Int? {
        guard let index = choice(names), take(UInt8(ascii: ":")) else { return nil }
        return index
    }

    /// A string value that is one of `names`: its position there, compared without building
    /// a `String`. Nil when it is none of them or not a string.
    mutating func choice(_ names: [StaticString]) -> Int? {
        guard let index = withNextString({ value in names.firstIndex { Self.spells($0, value) } }) else { return nil }
        return index
    }

    /// A string value.
    mutating func string() -> String? {
        guard peekQuote() else { return nil }
        return try? parseString()
    }

    /// A string value as its UTF-8 bytes.
    mutating func stringBytes() -> [UInt8]? {
        guard peekQuote() else { return nil }
        return try? parseStringBytes()
    }

    /// `true` or `false`.
    mutating func bool() -> Bool? {
        skipWhitespace()
        guard position < bytes.count else { return nil }
        switch bytes[position] {
        case UInt8(ascii: "t"): return (try? expectLiteral("true")) != nil ? true : nil
        case UInt8(ascii: "f"): return (try? expectLiteral("false")) != nil ? false : nil
        default: return nil
        }
    }

    private mutating func peekQuote() -> Bool {
        skipWhitespace()
        return position < bytes.count && bytes[position] == UInt8(ascii: "\"")
    }

    /// Reads the next string and shows `body` its contents (escapes decoded).
    private mutating func withNextString<T>(_ body: (UnsafeRawBufferPointer) -> T) -> T? {
        guard peekQuote() else { return nil }
        let scanned: Range<Int>?
        do { scanned = try scanString() } catch { return nil }
        if let scanned { return body(UnsafeRawBufferPointer(rebasing: bytes[scanned])) }
        return scratch.withUnsafeBytes(body)
    }

    private static func spells(_ name: StaticString, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard name.utf8CodeUnitCount == bytes.count else { return false }
        for offset in 0..<bytes.count where bytes[offset] != name.utf8Start[offset] { return false }
        return true
    }
}
