import Glibc
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

    /// `count` bytes from the front were sent (possibly spanning several segments).
    mutating func consume(_ count: Int, pool: ChunkPool) {
        var remaining = count
        while remaining > 0 && head < segments.count {
            let taken = min(segments[head].end - segments[head].start, remaining)
            segments[head].start += taken
            byteCount -= taken
            remaining -= taken
            if segments[head].start >= segments[head].end {
                if let chunk = segments[head].chunk { pool.give(chunk) }
                head += 1
            }
        }
        if head == segments.count {
            // Keep a little capacity: fan-out appends one segment per message, and a connection
            // that sits idle should not hold a large array.
            segments.removeAll(keepingCapacity: segments.capacity <= 4)
            head = 0
        } else if head >= 32 {
            segments.removeFirst(head)
            head = 0
        }
    }

    /// Fills up to `max` iovecs with the queued bytes from the front, for one gathering send.
    /// Returns how many were filled.
    func gather(into iovecs: UnsafeMutablePointer<iovec>, max: Int) -> Int {
        var filled = 0
        var index = head
        while index < segments.count && filled < max {
            let segment = segments[index]
            iovecs[filled] = iovec(
                iov_base: UnsafeMutableRawPointer(mutating: segment.base + segment.start), iov_len: segment.end - segment.start)
            filled += 1
            index += 1
        }
        return filled
    }

    /// Gives back the segment list's storage when nothing is queued (consuming keeps a little).
    mutating func releaseSpareCapacity() {
        if head == segments.count {
            segments = []
            head = 0
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
