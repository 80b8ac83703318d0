import Glibc

/// The shard thread's malloc arena, grown ahead of the first connection peak.
///
/// glibc gives each thread's arena a heap that grows as needed, one `mprotect` per few pages:
/// about 0.4 calls per new connection while a fresh shard climbs to its first peak (each also
/// takes the process's memory-map lock, which the other threads' page faults wait on). The
/// heap keeps its highest extent when it shrinks (freed pages are only released), so growing
/// it once at start, by allocating and freeing, spares those calls up to that extent. What
/// is freed is given back at once: the reserve costs address space, not resident memory.
public enum ShardArena {
    /// Enough for some 10,000 held connections per shard.
    public static let reserveBytes = 16 << 20

    /// Grows the calling thread's arena to `bytes` and frees it all again. Blocks stay below
    /// glibc's mmap threshold (128 KiB), so they come from the arena and not from mmap.
    public static func reserve(bytes: Int = reserveBytes) {
        let block = 64 << 10
        var blocks: [UnsafeMutableRawPointer] = []
        blocks.reserveCapacity(bytes / block)
        for _ in 0..<(bytes / block) {
            guard let pointer = malloc(block) else { break }
            blocks.append(pointer)
        }
        for pointer in blocks.reversed() { free(pointer) }  // newest first: each merges into the top
    }
}
