/// Helpers compiled into every fuzz target (with Tests/SeededRandom).
enum Fuzz {
    /// The input as an array; libFuzzer passes a null pointer for the empty input.
    static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
        guard let data, size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// Stops the run when an invariant does not hold; libFuzzer keeps the input as a crash.
    static func check(
        _ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line
    ) {
        if !condition { fatalError(message(), file: file, line: line) }
    }

    /// A generator seeded from the input itself (FNV-1a): the same input always makes the
    /// same choices, so a saved crash replays, while different inputs choose differently.
    static func random(for bytes: [UInt8]) -> SeededRandom {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return SeededRandom(seed: hash)
    }

    /// `bytes` cut into consecutive pieces the way reads might deliver it: one to five
    /// pieces at input-derived points (empty pieces included), or, for one input in
    /// eight that is short enough, one byte at a time.
    static func pieces(of bytes: [UInt8]) -> [[UInt8]] {
        var random = random(for: bytes)
        if bytes.count <= 2048, random.below(8) == 0 { return bytes.map { [$0] } }
        let cuts = (0..<(1 + random.below(4))).map { _ in random.below(bytes.count + 1) }.sorted()
        var pieces: [[UInt8]] = []
        var start = 0
        for cut in cuts + [bytes.count] {
            pieces.append(Array(bytes[start..<cut]))
            start = cut
        }
        return pieces
    }

    /// Whether `bytes` is valid UTF-8 by the standard library's own validator: the
    /// reference the hand-written validators are compared with.
    static func isUTF8(_ bytes: some Collection<UInt8>) -> Bool {
        String(validating: bytes, as: UTF8.self) != nil
    }
}
