/// The XOR masking of RFC 6455 §5.3, eight bytes per step.
///
/// A key is a `UInt32` whose in-memory bytes are the four key bytes in wire
/// order (load it with `loadUnaligned` from the frame); that keeps the code
/// independent of byte order. `phase` is how many payload bytes came before
/// (mod 4), so a payload split across reads unmasks piece by piece.
enum WebSocketMasking {
    /// A key from its four wire-order bytes.
    @inline(__always)
    static func key(_ bytes: (UInt8, UInt8, UInt8, UInt8)) -> UInt32 {
        var key: UInt32 = 0
        withUnsafeMutableBytes(of: &key) { raw in
            raw[0] = bytes.0
            raw[1] = bytes.1
            raw[2] = bytes.2
            raw[3] = bytes.3
        }
        return key
    }

    /// Writes `source[i] ^ key[(phase + i) % 4]` to `destination[i]` for
    /// `count` bytes. Source and destination may be the same memory (in place),
    /// but must not otherwise overlap.
    static func apply(
        key: UInt32, phase: Int, source: UnsafeRawPointer, destination: UnsafeMutableRawPointer, count: Int
    ) {
        // The key repeated over eight bytes, starting at `phase`.
        var wide: UInt64 = 0
        withUnsafeMutableBytes(of: &wide) { pattern in
            withUnsafeBytes(of: key) { keyBytes in
                for i in 0..<8 { pattern[i] = keyBytes[(phase &+ i) & 3] }
            }
        }
        var i = 0
        while i &+ 32 <= count {
            let w0 = source.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let w1 = source.loadUnaligned(fromByteOffset: i &+ 8, as: UInt64.self)
            let w2 = source.loadUnaligned(fromByteOffset: i &+ 16, as: UInt64.self)
            let w3 = source.loadUnaligned(fromByteOffset: i &+ 24, as: UInt64.self)
            destination.storeBytes(of: w0 ^ wide, toByteOffset: i, as: UInt64.self)
            destination.storeBytes(of: w1 ^ wide, toByteOffset: i &+ 8, as: UInt64.self)
            destination.storeBytes(of: w2 ^ wide, toByteOffset: i &+ 16, as: UInt64.self)
            destination.storeBytes(of: w3 ^ wide, toByteOffset: i &+ 24, as: UInt64.self)
            i &+= 32
        }
        while i &+ 8 <= count {
            let word = source.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            destination.storeBytes(of: word ^ wide, toByteOffset: i, as: UInt64.self)
            i &+= 8
        }
        // Fewer than eight left; i is a multiple of 8, so the pattern lines up.
        withUnsafeBytes(of: wide) { pattern in
            var k = 0
            while i < count {
                let byte = source.load(fromByteOffset: i, as: UInt8.self) ^ pattern[k]
                destination.storeBytes(of: byte, toByteOffset: i, as: UInt8.self)
                i &+= 1
                k &+= 1
            }
        }
    }

    /// Unmasks (or masks) `buffer[from...]` in place.
    @inline(__always)
    static func applyInPlace(key: UInt32, phase: Int, _ buffer: inout [UInt8], from start: Int) {
        let count = buffer.count &- start
        guard count > 0 else { return }
        buffer.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            let region = base + start
            apply(key: key, phase: phase, source: UnsafeRawPointer(region), destination: region, count: count)
        }
    }
}
