/// Which shards have subscribers on which channel, kept from the shards' reports, so a
/// publish only travels to shards that can deliver it.
struct InterestMap {
    private var shardsByChannel: [String: Set<Int>] = [:]

    /// True when this is the channel's first shard.
    @discardableResult
    mutating func subscribed(_ channel: String, shard: Int) -> Bool {
        let first = shardsByChannel[channel] == nil
        shardsByChannel[channel, default: []].insert(shard)
        return first
    }

    /// True when the channel's last shard left.
    @discardableResult
    mutating func unsubscribed(_ channel: String, shard: Int) -> Bool {
        guard var shards = shardsByChannel[channel] else { return false }
        shards.remove(shard)
        shardsByChannel[channel] = shards.isEmpty ? nil : shards
        if shardsByChannel.capacity > 64 && shardsByChannel.count * 4 < shardsByChannel.capacity {
            // A dictionary never shrinks by itself: after a peak of channels, give the table back.
            // Rebuilt when under a quarter full, to fit: the cost is amortised over the removals.
            var rebuilt = [String: Set<Int>](minimumCapacity: shardsByChannel.count)
            for (name, shards) in shardsByChannel { rebuilt[name] = shards }
            shardsByChannel = rebuilt
        }
        return shards.isEmpty
    }

    func shards(for channel: String) -> Set<Int> { shardsByChannel[channel] ?? [] }

    var channelCount: Int { shardsByChannel.count }
    var capacity: Int { shardsByChannel.capacity }
}
