import Glibc

/// A fixed block of bytes waiting to be sent.
///
/// The kernel reads a chunk's bytes while a send is in flight, so a chunk never moves or
/// shrinks while queued: writers only append past `count`, which the in-flight send does not
/// cover. Immutable chunks (published messages, later) are shared by many queues at once.
public final class OutboundChunk {
    public let base: UnsafeMutableRawPointer
    public let capacity: Int
    public internal(set) var count = 0

    public init(capacity: Int) {
        self.capacity = capacity
        base = malloc(max(capacity, 1))!
    }

    /// A chunk holding exactly `bytes`.
    public convenience init(copying bytes: UnsafeRawBufferPointer) {
        self.init(capacity: bytes.count)
        _ = append(bytes)
    }

    deinit { Glibc.free(base) }

    /// Copies as much of `bytes` as fits; returns how many bytes were taken.
    func append(_ bytes: UnsafeRawBufferPointer) -> Int {
        let n = min(bytes.count, capacity - count)
        if n > 0, let source = bytes.baseAddress {
            (base + count).copyMemory(from: source, byteCount: n)
            count += n
        }
        return n
    }

    var unused: Int { capacity - count }
}

/// Recycles the per-shard send chunks so steady traffic does not call malloc.
final class ChunkPool {
    let chunkSize: Int
    private var spare: [OutboundChunk] = []
    private let spareMax: Int

    init(chunkSize: Int, spareMax: Int) {
        self.chunkSize = chunkSize
        self.spareMax = spareMax
    }

    func take() -> OutboundChunk {
        if let chunk = spare.popLast() {
            chunk.count = 0
            return chunk
        }
        return OutboundChunk(capacity: chunkSize)
    }

    func give(_ chunk: OutboundChunk) {
        guard chunk.capacity == chunkSize, spare.count < spareMax else { return }
        spare.append(chunk)
    }

    /// Frees the spare chunks (the shard went idle after a peak).
    func releaseSpare() {
        spare = []
    }

    var spareCount: Int { spare.count }
}
