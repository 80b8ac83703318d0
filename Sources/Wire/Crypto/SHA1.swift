/// SHA-1 (FIPS 180-4), only for the WebSocket handshake's `Sec-WebSocket-Accept`.
///
/// SHA-1 is broken for collision resistance; RFC 6455 uses it merely to prove the
/// server read the key, so nothing secret or security-relevant goes through it.
public enum SHA1 {
    /// Digest size in bytes.
    static let digestCount = 20
    /// Block size in bytes.
    static let blockCount = 64

    /// The 20-byte digest of `data`.
    public static func hash(_ data: [UInt8]) -> [UInt8] {
        var state: (UInt32, UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0)
        let fullBlocksEnd = data.count - data.count % blockCount
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < fullBlocksEnd {
                compress(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + blockCount]), &state)
                offset += blockCount
            }
        }
        // Padding: 0x80, zeros up to 56 mod 64, then the bit count big-endian.
        var tail = Array(data[fullBlocksEnd...])
        tail.append(0x80)
        while tail.count % blockCount != 56 { tail.append(0) }
        let bitCount = UInt64(data.count) &* 8
        for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitCount >> UInt64(shift))) }
        tail.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                compress(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + blockCount]), &state)
                offset += blockCount
            }
        }
        var digest: [UInt8] = []
        digest.reserveCapacity(digestCount)
        for word in [state.0, state.1, state.2, state.3, state.4] {
            digest.append(UInt8(truncatingIfNeeded: word >> 24))
            digest.append(UInt8(truncatingIfNeeded: word >> 16))
            digest.append(UInt8(truncatingIfNeeded: word >> 8))
            digest.append(UInt8(truncatingIfNeeded: word))
        }
        return digest
    }

    /// One 64-byte block through the compression function (80 rounds).
    private static func compress(
        _ block: UnsafeRawBufferPointer, _ state: inout (UInt32, UInt32, UInt32, UInt32, UInt32)
    ) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { schedule in
            for t in 0..<16 {
                let base = t * 4
                schedule[t] = UInt32(block[base]) << 24 | UInt32(block[base + 1]) << 16
                    | UInt32(block[base + 2]) << 8 | UInt32(block[base + 3])
            }
            for t in 16..<80 {
                schedule[t] = rotl(schedule[t - 3] ^ schedule[t - 8] ^ schedule[t - 14] ^ schedule[t - 16], 1)
            }
            var a = state.0, b = state.1, c = state.2, d = state.3, e = state.4
            for t in 0..<80 {
                let f: UInt32
                let k: UInt32
                switch t {
                case 0..<20:
                    f = (b & c) | (~b & d)
                    k = 0x5A82_7999
                case 20..<40:
                    f = b ^ c ^ d
                    k = 0x6ED9_EBA1
                case 40..<60:
                    f = (b & c) | (b & d) | (c & d)
                    k = 0x8F1B_BCDC
                default:
                    f = b ^ c ^ d
                    k = 0xCA62_C1D6
                }
                let temp = rotl(a, 5) &+ f &+ e &+ k &+ schedule[t]
                e = d
                d = c
                c = rotl(b, 30)
                b = a
                a = temp
            }
            state.0 &+= a
            state.1 &+= b
            state.2 &+= c
            state.3 &+= d
            state.4 &+= e
        }
    }

    @inline(__always)
    private static func rotl(_ value: UInt32, _ count: UInt32) -> UInt32 {
        (value << count) | (value >> (32 - count))
    }
}
