/// The bytes a connection still has to send, in order, as segments of chunks.
///
/// Owned segments come from the shard's `ChunkPool` and may be appended to; shared segments
/// (immutable bytes many connections send) are referenced, never copied. The first segment
/// is the one a send may be in flight for.
struct SendQueue {
    private struct Segment {
        let chunk: OutboundChunk
        var start: Int
        var end: Int
        let owned: Bool
    }

    private var segments: [Segment] = []
    private var head = 0
    private(set) var byteCount = 0

    var isEmpty: Bool { byteCount == 0 }

    /// Copies `bytes` into owned chunks, filling the last one first.
    mutating func append(_ bytes: UnsafeRawBufferPointer, pool: ChunkPool) {
        var rest = bytes
        while !rest.isEmpty {
            if segments.count > head, let last = segments.last, last.owned, last.end == last.chunk.count, last.chunk.unused > 0 {
                let taken = last.chunk.append(rest)
                segments[segments.count - 1].end += taken
                byteCount += taken
                rest = UnsafeRawBufferPointer(rebasing: rest[taken...])
                continue
            }
            let chunk = rest.count > pool.chunkSize ? OutboundChunk(capacity: rest.count) : pool.take()
            segments.append(Segment(chunk: chunk, start: 0, end: 0, owned: true))
        }
    }

    mutating func append(_ bytes: [UInt8], pool: ChunkPool) {
        bytes.withUnsafeBytes { append($0, pool: pool) }
    }

    /// Queues a shared immutable chunk by reference.
    mutating func append(shared chunk: OutboundChunk) {
        guard chunk.count > 0 else { return }
        segments.append(Segment(chunk: chunk, start: 0, end: chunk.count, owned: false))
        byteCount += chunk.count
    }

    /// The bytes the next send should cover: the first segment's unsent part.
    var nextSend: (base: UnsafeRawPointer, count: Int)? {
        guard head < segments.count else { return nil }
        let segment = segments[head]
        return (UnsafeRawPointer(segment.chunk.base + segment.start), segment.end - segment.start)
    }

    /// `count` bytes of the first segment were sent.
    mutating func consume(_ count: Int, pool: ChunkPool) {
        guard head < segments.count else { return }
        segments[head].start += count
        byteCount -= count
        if segments[head].start >= segments[head].end {
            let done = segments[head]
            if done.owned { pool.give(done.chunk) }
            head += 1
            if head == segments.count {
                segments.removeAll(keepingCapacity: segments.capacity <= 16)
                head = 0
            } else if head >= 32 {
                segments.removeFirst(head)
                head = 0
            }
        }
    }

    /// Drops everything queued. Only when no send is in flight: the kernel may still be
    /// reading the first chunk until its completion arrives.
    mutating func removeAll(pool: ChunkPool) {
        for index in head..<segments.count where segments[index].owned {
            pool.give(segments[index].chunk)
        }
        segments = []
        head = 0
        byteCount = 0
    }
}
