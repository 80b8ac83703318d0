/// The subscribers of one channel in this shard: client slots in a dense array, so a
/// publish walks contiguous memory and removal is O(1) (swap with the last).
final class ChannelSubscribers {
    let name: String
    var members: [UInt32] = []
    /// Members whose subscription has filters. A publish walks the shared-bytes path only
    /// while this is 0 (and the message is the same for everyone), so it decides once per
    /// channel, not per subscriber.
    var filteredCount = 0
    /// When an item was last published here, and the id of the last one with an id (GRIP
    /// reliable mode: idle refresh, and sessions that start behind).
    var lastPublishNanos: Int64 = 0
    var lastID: String? = nil

    init(name: String) { self.name = name }
}

/// A connection's membership in one channel, with its position for O(1) removal.
struct Subscription {
    let channel: ChannelSubscribers
    var index: Int
    /// Counted in the channel's `filteredCount`.
    let filtered: Bool
}

/// channel → subscribers, for this shard's connections only. Nobody else touches it.
struct SubscriptionTable {
    private(set) var channels: [String: ChannelSubscribers] = [:]
    private(set) var count = 0

    /// Adds `slot` to `name`; `isFirst` when the channel is new in this shard.
    mutating func add(_ name: String, slot: UInt32, filtered: Bool = false) -> (subscription: Subscription, isFirst: Bool) {
        let entry: ChannelSubscribers
        let isFirst: Bool
        if let existing = channels[name] {
            entry = existing
            isFirst = false
        } else {
            entry = ChannelSubscribers(name: name)
            channels[name] = entry
            isFirst = true
        }
        entry.members.append(slot)
        if filtered { entry.filteredCount += 1 }
        count += 1
        return (Subscription(channel: entry, index: entry.members.count - 1, filtered: filtered), isFirst)
    }

    /// Removes a subscription. Returns the slot that moved into its place (its owner must
    /// update its `Subscription.index`) and whether the channel is now empty in this shard.
    mutating func remove(_ subscription: Subscription) -> (moved: UInt32?, isLast: Bool) {
        let entry = subscription.channel
        let last = entry.members.count - 1
        var moved: UInt32? = nil
        if subscription.index != last {
            entry.members[subscription.index] = entry.members[last]
            moved = entry.members[subscription.index]
        }
        entry.members.removeLast()
        if subscription.filtered { entry.filteredCount -= 1 }
        count -= 1
        if entry.members.isEmpty {
            channels[entry.name] = nil
            return (moved, true)
        }
        return (moved, false)
    }

    func subscribers(of name: String) -> ChannelSubscribers? { channels[name] }

    /// Gives back the storage the channel index and member lists kept from a busier time
    /// (neither shrinks on removal). Positions in the lists stay as they are.
    mutating func releaseSpareCapacity() {
        if channels.capacity > 2 * channels.count {
            var rebuilt = [String: ChannelSubscribers](minimumCapacity: channels.count)
            for (name, entry) in channels { rebuilt[name] = entry }
            channels = rebuilt
        }
        for entry in channels.values where entry.members.capacity > entry.members.count {
            entry.members = entry.members.withExactCapacity()
        }
    }
}
