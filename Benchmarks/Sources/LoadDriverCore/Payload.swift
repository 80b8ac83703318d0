/// What every published message carries, so a reader can tell which channel and sequence
/// it is and when it was published: `#<channel>,<sequence>,<publish ns>;` followed by `.`
/// padding up to the requested size. Only JSON-safe ASCII, so it goes into a JSON string as is.
public enum Payload {
    /// One parsed stamp.
    public struct Stamp: Sendable, Equatable {
        public var channel: Int
        public var sequence: Int
        /// CLOCK_MONOTONIC nanoseconds at publish time (same process, same clock as the readers).
        public var publishedNanos: UInt64

        public init(channel: Int, sequence: Int, publishedNanos: UInt64) {
            self.channel = channel
            self.sequence = sequence
            self.publishedNanos = publishedNanos
        }
    }

    static let marker = UInt8(ascii: "#")
    static let padding = UInt8(ascii: ".")

    /// Appends the stamp and padding; `size` counts these bytes plus `reserved` bytes the
    /// caller adds after them (the stream's newline), and is never cut below the stamp itself.
    public static func append(_ stamp: Stamp, size: Int, reserved: Int = 0, to out: inout [UInt8]) {
        let start = out.count
        out.append(marker)
        appendDecimal(UInt64(stamp.channel), to: &out)
        out.append(UInt8(ascii: ","))
        appendDecimal(UInt64(stamp.sequence), to: &out)
        out.append(UInt8(ascii: ","))
        appendDecimal(stamp.publishedNanos, to: &out)
        out.append(UInt8(ascii: ";"))
        let written = out.count - start
        if size - reserved > written {
            out.append(contentsOf: repeatElement(padding, count: size - reserved - written))
        }
    }

    /// Parses a stamp at the start of `bytes` (padding and anything after `;` are ignored).
    /// Nil for anything else, e.g. a stream's opening text or a timeout body.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Stamp? {
        guard bytes.count >= 7, bytes[0] == marker else { return nil }
        var index = 1
        guard let channel = readDecimal(bytes, &index), index < bytes.count, bytes[index] == UInt8(ascii: ",") else { return nil }
        index += 1
        guard let sequence = readDecimal(bytes, &index), index < bytes.count, bytes[index] == UInt8(ascii: ",") else { return nil }
        index += 1
        guard let nanos = readDecimal(bytes, &index), index < bytes.count, bytes[index] == UInt8(ascii: ";") else { return nil }
        guard channel <= UInt64(Int.max), sequence <= UInt64(Int.max) else { return nil }
        return Stamp(channel: Int(channel), sequence: Int(sequence), publishedNanos: nanos)
    }

    static func appendDecimal(_ value: UInt64, to out: inout [UInt8]) {
        var divisor: UInt64 = 1
        while value / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }

    /// At most 19 digits, so the value never overflows.
    private static func readDecimal(_ bytes: UnsafeRawBufferPointer, _ index: inout Int) -> UInt64? {
        var value: UInt64 = 0
        let start = index
        while index < bytes.count, index - start < 19 {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            value = value * 10 + UInt64(digit)
            index += 1
        }
        return index > start ? value : nil
    }
}
