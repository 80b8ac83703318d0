/// Which shards have subscribers on which channel, kept from the shards' reports, so a
/// publish only travels to shards that can deliver it.
struct InterestMap {
    private var shardsByChannel: [String: Set<Int>] = [:]

    mutating func subscribed(_ channel: String, shard: Int) {
        shardsByChannel[channel, default: []].insert(shard)
    }

    mutating func unsubscribed(_ channel: String, shard: Int) {
        guard var shards = shardsByChannel[channel] else { return }
        shards.remove(shard)
        shardsByChannel[channel] = shards.isEmpty ? nil : shards
    }

    func shards(for channel: String) -> Set<Int> { shardsByChannel[channel] ?? [] }

    var channelCount: Int { shardsByChannel.count }
}
