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
        shardsByChannel.shrinkIfSparse()
        return shards.isEmpty
    }

    func shards(for channel: String) -> Set<Int> { shardsByChannel[channel] ?? [] }

    var channelCount: Int { shardsByChannel.count }
    var capacity: Int { shardsByChannel.capacity }
}
