/// Which channels the SUB input subscribes to (publish.md §5, subscription forwarding):
/// a channel is subscribed when its first local subscriber arrives and unsubscribed
/// `lingerNanos` after its last one left, unless one came back meanwhile. An XPUB
/// publisher upstream sees the subscriptions and sends only what someone here wants.
struct SubscriptionForwarder {
    enum Action: Equatable {
        case subscribe(String)
        case unsubscribe(String)
    }

    let lingerNanos: Int64
    private(set) var subscribed: Set<String> = []
    /// Subscribed channels without local subscribers, and when they are dropped.
    private var lingering: [String: Int64] = [:]

    init(lingerNanos: Int64) { self.lingerNanos = lingerNanos }

    mutating func channelGained(_ channel: String) -> Action? {
        if lingering.removeValue(forKey: channel) != nil { return nil }
        guard subscribed.insert(channel).inserted else { return nil }
        return .subscribe(channel)
    }

    mutating func channelLost(_ channel: String, now: Int64) {
        guard subscribed.contains(channel) else { return }
        lingering[channel] = now + lingerNanos
    }

    /// Unsubscribes every channel whose linger has run out.
    mutating func expire(now: Int64) -> [Action] {
        guard !lingering.isEmpty else { return [] }
        var actions: [Action] = []
        for (channel, deadline) in lingering where deadline <= now {
            lingering[channel] = nil
            subscribed.remove(channel)
            actions.append(.unsubscribe(channel))
        }
        return actions.sorted { "\($0)" < "\($1)" }
    }
}
