/// What the control thread sends to a shard.
public enum ShardCommand: Sendable {
    /// Deliver to this shard's subscribers of the message's channel.
    case publish(PublishMessage)
    /// Reply with a `.stats` report carrying the same sequence number.
    case reportStats(sequence: UInt64)
    /// Replace the routing table (routes file reloaded).
    case installRoutes(ShardRouting)
    /// Stop accepting, let in-flight exchanges finish for up to `drainNanos`, then close
    /// everything and leave the loop.
    case shutdown(drainNanos: Int64)
    /// Bring every held session that can recover (a next link, or a long-poll with
    /// `prev-id`) up to date: streams fetch their next link, long-polls are requested again.
    case recover
    /// The control thread's last id of `channel`, sent when this shard's first subscriber of
    /// it arrives: sessions there whose last id differs catch up.
    case lastID(channel: String, id: String)
    /// Which of `ids` (stats connection ids, WebSocket-over-HTTP Connection-Ids) name a session
    /// here; with `refresh`, those WebSocket-over-HTTP sessions send their backend a request
    /// now. Answered with `.connectionsFound` (the command socket's `conncheck` and `refresh`).
    case findConnections(sequence: UInt64, ids: [String], refresh: Bool)
    /// Every WebSocket-over-HTTP session subscribed to `channel` sends its backend a request now.
    case refreshChannel(String)
}

/// What a shard sends back to the control thread.
public enum ShardReport: Sendable {
    case stats(shard: Int, sequence: UInt64, ShardStats)
    /// The shard's first subscriber to `channel` arrived (interest map: publish goes here).
    case subscribed(shard: Int, channel: String)
    /// The shard's last subscriber to `channel` left.
    case unsubscribed(shard: Int, channel: String)
    /// What happened since the last batch, for the stats socket (only when one is configured).
    case statsEvents(shard: Int, [StatsEvent])
    /// The answer to `.findConnections`.
    case connectionsFound(shard: Int, sequence: UInt64, ids: [String])
    /// The shard left its loop; its thread is about to end.
    case stopped(shard: Int)
}
