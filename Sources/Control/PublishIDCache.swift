/// The (channel, id) pairs published within the last `ttlNanos` (`id_cache_ttl`): an item
/// whose pair is here is a duplicate (grip.md §8). Every pair lives equally long, so they
/// expire first in, first out. Bounded: past `capacity` pairs the oldest goes early.
struct PublishIDCache {
    private struct Key: Hashable {
        var channel: String
        var id: String
    }

    /// 0: nothing is remembered, nothing is a duplicate.
    let ttlNanos: Int64
    let capacity: Int
    private var seen: Set<Key> = []
    private var expiries = FIFOQueue<(deadline: Int64, key: Key)>()

    init(ttlNanos: Int64, capacity: Int = 1_000_000) {
        precondition(capacity > 0)
        self.ttlNanos = ttlNanos
        self.capacity = capacity
    }

    var count: Int { seen.count }

    /// Remembers the pair; false when it was already there (a duplicate).
    mutating func insert(channel: String, id: String, now: Int64) -> Bool {
        guard ttlNanos > 0 else { return true }
        while let oldest = expiries.first, oldest.deadline <= now { forgetOldest() }
        let key = Key(channel: channel, id: id)
        guard !seen.contains(key) else { return false }
        while seen.count >= capacity, !expiries.isEmpty { forgetOldest() }
        seen.insert(key)
        expiries.append((now + ttlNanos, key))
        return true
    }

    private mutating func forgetOldest() {
        guard let oldest = expiries.popFirst() else { return }
        seen.remove(oldest.key)
        if seen.isEmpty { seen = [] }  // after a peak, the table's storage goes too
    }
}
