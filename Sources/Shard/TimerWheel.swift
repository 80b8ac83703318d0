/// A hashed timing wheel with a fixed tick: O(1) to arm, lazy cancellation.
///
/// Entries are never removed when cancelled; the owner bumps its token instead and a fired
/// entry whose token no longer matches is ignored. Deadlines further out than one turn of
/// the wheel simply stay in their bucket until their tick comes round.
struct TimerWheel {
    struct Entry: Equatable {
        var kind: UInt8
        var slot: UInt32
        var generation: UInt32
        var token: UInt32
        var dueTick: Int64

        /// The connection the timer was armed for (when it is a connection's timer).
        var handle: ConnectionHandle { ConnectionHandle(slot: slot, generation: generation) }
    }

    let tickNanos: Int64
    private var buckets: [[Entry]]
    private let mask: Int
    private(set) var currentTick: Int64
    private(set) var count = 0
    /// Entries the buckets have storage for.
    var capacity: Int { buckets.reduce(0) { $0 + $1.capacity } }

    init(tickNanos: Int64, bucketCount: Int = 1024, nowNanos: Int64) {
        precondition(bucketCount & (bucketCount - 1) == 0, "bucket count must be a power of two")
        self.tickNanos = tickNanos
        buckets = Array(repeating: [], count: bucketCount)
        mask = bucketCount - 1
        currentTick = nowNanos / tickNanos
    }

    /// Arms a timer firing at or after `deadlineNanos` (never before the next tick).
    mutating func schedule(kind: UInt8, slot: UInt32, generation: UInt32, token: UInt32, deadlineNanos: Int64) {
        let due = max(currentTick + 1, (deadlineNanos + tickNanos - 1) / tickNanos)
        buckets[Int(due) & mask].append(Entry(kind: kind, slot: slot, generation: generation, token: token, dueTick: due))
        count += 1
    }

    /// Drops the entries `isStale` picks (cancelled timers waiting for their tick) and gives back
    /// the storage buckets kept from a busier time.
    mutating func discard(where isStale: (Entry) -> Bool) {
        for index in buckets.indices {
            let before = buckets[index].count
            buckets[index].removeAll(where: isStale)
            count -= before - buckets[index].count
            if buckets[index].capacity > buckets[index].count { buckets[index] = buckets[index].withExactCapacity() }
        }
    }

    /// Advances to `nowNanos` and returns every entry now due, in tick order. Returned rather
    /// than called back so handlers may arm new timers.
    mutating func advance(to nowNanos: Int64) -> [Entry] {
        let target = nowNanos / tickNanos
        guard target > currentTick else { return [] }
        var due: [Entry] = []
        // After a long stall visit each bucket once rather than every missed tick.
        let steps = min(target - currentTick, Int64(buckets.count))
        var tick = target - steps + 1
        while tick <= target {
            let index = Int(tick) & mask
            if !buckets[index].isEmpty {
                let before = due.count
                buckets[index].removeAll { entry in
                    if entry.dueTick <= target {
                        due.append(entry)
                        return true
                    }
                    return false
                }
                count -= due.count - before
            }
            tick += 1
        }
        currentTick = target
        if steps == Int64(buckets.count) {
            // A stall of a whole turn or more: buckets were visited once, not in due order.
            due = due.enumerated().sorted { ($0.element.dueTick, $0.offset) < ($1.element.dueTick, $1.offset) }.map(\.element)
        }
        return due
    }
}
