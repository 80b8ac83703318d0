/// Chunked transfer coding written straight into a send queue: the size line, the data and
/// the CRLF are appended in place, with no intermediate array per chunk.
extension SendQueue {
    /// `data` as one chunk (nothing for empty data: an empty chunk would end the body).
    mutating func appendChunk(_ data: UnsafeRawBufferPointer, pool: ChunkPool) {
        guard !data.isEmpty else { return }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * MemoryLayout<Int>.size + 2) { line in
            var digits = 1
            while data.count >> (4 * digits) > 0 { digits += 1 }
            for position in 0..<digits {
                line[digits - 1 - position] = Self.hexDigits[(data.count >> (4 * position)) & 0xF]
            }
            line[digits] = 0x0D
            line[digits + 1] = 0x0A
            append(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(line)[0..<(digits + 2)]), pool: pool)
        }
        append(data, pool: pool)
        Self.crlf.withUnsafeBytes { append($0, pool: pool) }
    }

    /// The last chunk, with no trailers.
    mutating func appendLastChunk(pool: ChunkPool) {
        Self.lastChunk.withUnsafeBytes { append($0, pool: pool) }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
    private static let crlf: [UInt8] = [0x0D, 0x0A]
    private static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)
}
