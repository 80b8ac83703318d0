/// The deterministic bytes every generated body is made of: byte `i` of any body is
/// `block[i % block.count]`. The block length is prime so piece and chunk boundaries
/// (powers of two) never line up with it, and a shifted or repeated piece shows up.
enum BodyPattern {
    static let block: [UInt8] = {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<65_521).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state >> 24)
        }
    }()

    /// `count` pattern bytes starting at body offset `offset`.
    static func bytes(offset: Int = 0, count: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        forEachPiece(offset: offset, count: count) { out.append(contentsOf: $0) }
        return out
    }

    /// Hands the pattern from `offset` for `count` bytes to `body` in slices of the block,
    /// so a 50 MB body is generated without ever existing whole.
    static func forEachPiece(
        offset: Int, count: Int, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) rethrows {
        var position = offset
        let end = offset + count
        try block.withUnsafeBytes { raw in
            while position < end {
                let start = position % raw.count
                let length = min(raw.count - start, end - position)
                try body(UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)]))
                position += length
            }
        }
    }

    /// The checksum of a pattern body of `count` bytes (what a correct transfer must show).
    static func checksum(count: Int) -> UInt64 {
        var checksum = StreamChecksum()
        forEachPiece(offset: 0, count: count) { checksum.update($0) }
        return checksum.value
    }
}

/// FNV-1a over 64-bit little-endian words, fed in pieces of any size. Word-wise keeps
/// debug builds fast enough to hash 50 MB in well under a second; order-sensitive, so a
/// reordered or duplicated piece changes the value. Both the stub and the client use it.
struct StreamChecksum: Sendable, Equatable {
    private(set) var byteCount = 0
    private var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    /// Bytes of an incomplete word carried to the next `update`.
    private var carry: UInt64 = 0
    private var carryCount = 0

    private static let prime: UInt64 = 0x0000_0100_0000_01b3

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        byteCount += bytes.count
        var index = 0
        while carryCount != 0 && index < bytes.count {
            absorb(byte: bytes[index])
            index += 1
        }
        let words = (bytes.count - index) / 8
        var hash = self.hash
        for word in 0..<words {
            hash = (hash ^ bytes.loadUnaligned(fromByteOffset: index + word * 8, as: UInt64.self)) &* Self.prime
        }
        self.hash = hash
        index += words * 8
        while index < bytes.count {
            absorb(byte: bytes[index])
            index += 1
        }
    }

    mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    private mutating func absorb(byte: UInt8) {
        carry |= UInt64(byte) << (8 * UInt64(carryCount))
        carryCount += 1
        if carryCount == 8 {
            hash = (hash ^ carry) &* Self.prime
            carry = 0
            carryCount = 0
        }
    }

    /// The checksum of everything so far (a trailing partial word is folded in with its length).
    var value: UInt64 {
        guard carryCount > 0 else { return hash }
        return ((hash ^ carry) &* Self.prime ^ UInt64(carryCount)) &* Self.prime
    }

    /// Sixteen lowercase hex digits, the form the stub reports.
    var hex: String { Self.hex(value) }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    static func of(_ bytes: [UInt8]) -> StreamChecksum {
        var checksum = StreamChecksum()
        checksum.update(bytes)
        return checksum
    }
}
