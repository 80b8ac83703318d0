/// HMAC-SHA256 (RFC 2104), the MAC behind HS256 GRIP signatures.
public enum HMACSHA256 {
    /// The 32-byte MAC of `message` under `key` (any length; keys longer than a block are hashed first).
    public static func authenticate(_ message: [UInt8], key: [UInt8]) -> [UInt8] {
        var blockKey = key.count > SHA256.blockCount ? SHA256.hash(key) : key
        blockKey.append(contentsOf: repeatElement(0, count: SHA256.blockCount - blockKey.count))

        var inner = SHA256Hasher()
        inner.update(blockKey.map { $0 ^ 0x36 })
        inner.update(message)
        let innerDigest = inner.finalize()

        var outer = SHA256Hasher()
        outer.update(blockKey.map { $0 ^ 0x5c })
        outer.update(innerDigest)
        return outer.finalize()
    }

    /// Compares two MACs in time that depends only on their lengths, so a
    /// verifier leaks nothing about how many leading bytes of a forgery were right.
    static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}
