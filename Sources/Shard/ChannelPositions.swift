/// A reliable session's place in each of its channels: the id of the last item it got
/// (from `Grip-Channel: ch; prev-id=…` at first, then each delivered item's `id`). A
/// published item whose `prev-id` is not that id means the session missed something.
///
/// A handful of channels per session (at most `connection_subscription_max`): a linear
/// search over a small array beats a dictionary's hashing and allocation.
struct ChannelPositions: Equatable {
    struct Entry: Equatable {
        /// The full channel name (route prefix included), as publishes name it.
        var channel: String
        var lastID: String?
    }

    private(set) var entries: [Entry] = []

    init(_ entries: [Entry] = []) {
        self.entries = entries
    }

    var isEmpty: Bool { entries.allSatisfy { $0.lastID == nil } }

    func lastID(of channel: String) -> String? {
        entries.first { $0.channel == channel }?.lastID
    }

    /// An item with `prevID` on `channel` does not follow what this session has: it knows a
    /// last id there and the item names another.
    func isGap(channel: String, prevID: String?) -> Bool {
        guard let prevID, let known = lastID(of: channel) else { return false }
        return known != prevID
    }

    /// An item with `id` was delivered on `channel`: it is the last one now (an item
    /// without id leaves nothing to compare later ones with).
    mutating func advance(channel: String, id: String?) {
        guard let index = entries.firstIndex(where: { $0.channel == channel }) else { return }
        entries[index].lastID = id
    }

    /// `Grip-Last` values for the backend: `<channel>; last-id=<id>` for each channel with an
    /// id, the channel named as the backend knows it (`prefix` removed).
    func gripLastValues(removingPrefix prefix: String) -> [String] {
        entries.compactMap { entry in
            guard let id = entry.lastID else { return nil }
            let name = !prefix.isEmpty && entry.channel.hasPrefix(prefix) ? String(entry.channel.dropFirst(prefix.count)) : entry.channel
            return "\(name); last-id=\(id)"
        }
    }
}
