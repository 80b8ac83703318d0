import Hub

/// The bytes a connection still has to send, in order, as segments of chunks.
///
/// Owned segments come from the shard's `ChunkPool` and may be appended to; shared segments
/// (immutable bytes many connections send) are referenced, never copied. The first segment
/// is the one a send may be in flight for.
struct SendQueue {
    /// Either an owned chunk (appendable, returned to the pool) or shared bytes (referenced).
    private struct Segment {
        let chunk: OutboundChunk?
        let shared: SharedBytes?
        let base: UnsafeRawPointer
        var start: Int
        var end: Int
        var owned: Bool { chunk != nil }
    }

    private var segments: [Segment] = []
    private var head = 0
    private(set) var byteCount = 0

    var isEmpty: Bool { byteCount == 0 }

    /// Copies `bytes` into owned chunks, filling the last one first.
    mutating func append(_ bytes: UnsafeRawBufferPointer, pool: ChunkPool) {
        var rest = bytes
        while !rest.isEmpty {
            if segments.count > head, let last = segments.last, let chunk = last.chunk, last.end == chunk.count, chunk.unused > 0 {
                let taken = chunk.append(rest)
                segments[segments.count - 1].end += taken
                byteCount += taken
                rest = UnsafeRawBufferPointer(rebasing: rest[taken...])
                continue
            }
            let chunk = rest.count > pool.chunkSize ? OutboundChunk(capacity: rest.count) : pool.take()
            segments.append(Segment(chunk: chunk, shared: nil, base: UnsafeRawPointer(chunk.base), start: 0, end: 0))
        }
    }

    mutating func append(_ bytes: [UInt8], pool: ChunkPool) {
        bytes.withUnsafeBytes { append($0, pool: pool) }
    }

    /// Queues shared immutable bytes by reference: no copy, no allocation beyond the
    /// (amortised) segment list.
    mutating func append(shared bytes: SharedBytes) {
        guard bytes.count > 0 else { return }
        segments.append(Segment(chunk: nil, shared: bytes, base: bytes.base, start: 0, end: bytes.count))
        byteCount += bytes.count
    }

    /// Segments waiting (the bound on queued messages for held connections).
    var segmentCount: Int { segments.count - head }

    /// The bytes the next send should cover: the first segment's unsent part.
    var nextSend: (base: UnsafeRawPointer, count: Int)? {
        guard head < segments.count else { return nil }
        let segment = segments[head]
        return (segment.base + segment.start, segment.end - segment.start)
    }

    /// `count` bytes of the first segment were sent.
    mutating func consume(_ count: Int, pool: ChunkPool) {
        guard head < segments.count else { return }
        segments[head].start += count
        byteCount -= count
        if segments[head].start >= segments[head].end {
            let done = segments[head]
            if let chunk = done.chunk { pool.give(chunk) }
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
        for index in head..<segments.count {
            if let chunk = segments[index].chunk { pool.give(chunk) }
        }
        segments = []
        head = 0
        byteCount = 0
    }
}
