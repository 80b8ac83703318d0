import Wire

/// What a shard tells the control thread for the stats socket. Collected per turn and sent
/// as one `ShardReport.statsEvents`; a shard collects nothing when no stats socket is configured.
public enum StatsEvent: Sendable, Equatable {
    /// A held session or WebSocket connection began; `id` is what `conncheck` and the stats socket name it by.
    /// `route` is the explicit `id=` of its route (nil when it has none).
    case connected(id: String, type: StatsPacket.ConnectionType, peerAddress: String, route: String?)
    case disconnected(id: String)
    /// A subscriber of `channel` in `mode` arrived (`delta` 1) or left (-1).
    case subscribers(mode: StatsPacket.SubscriptionMode, channel: String, delta: Int)
    /// Requests routed since the last batch on routes with explicit id `route` (nil: the routes without one).
    case requests(Int, route: String?)
}
