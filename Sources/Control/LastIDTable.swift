/// The id of the last item released on each sequenced channel (grip.md §8): what the next
/// item's `prev-id` must name to go out at once, and what a shard's new subscribers are
/// told. Bounded like Pushpin's: past `capacity` channels, the one written longest ago is
/// forgotten (least recently used).
struct LastIDTable {
    private struct Entry {
        var id: String
        var stamp: UInt64
    }

    let capacity: Int
    private var entries: [String: Entry] = [:]
    /// Channels oldest write first. A rewrite leaves its older place behind, recognised by
    /// its stamp and skipped; `compact` drops such places once they outnumber the live ones.
    private var order = FIFOQueue<(channel: String, stamp: UInt64)>()
    private var nextStamp: UInt64 = 0

    init(capacity: Int = 1_000_000) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    var count: Int { entries.count }

    subscript(channel: String) -> String? { entries[channel]?.id }

    mutating func set(_ id: String, for channel: String) {
        nextStamp += 1
        if entries[channel] == nil {
            while entries.count >= capacity, let oldest = order.popFirst() {
                if entries[oldest.channel]?.stamp == oldest.stamp { entries[oldest.channel] = nil }
            }
        }
        entries[channel] = Entry(id: id, stamp: nextStamp)
        order.append((channel, nextStamp))
        if order.count > 2 * entries.count + 64 { compact() }
    }

    mutating func remove(_ channel: String) {
        guard entries.removeValue(forKey: channel) != nil else { return }
        entries.shrinkIfSparse()
        if order.count > 2 * entries.count + 64 { compact() }
    }

    mutating func removeAll() {
        entries = [:]
        order.removeAll()
    }

    private mutating func compact() {
        order.retain { [entries] place in entries[place.channel]?.stamp == place.stamp }
    }
}
