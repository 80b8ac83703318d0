import Hub

/// The `/status` JSON document. Pure.
public enum StatusDocument {
    public static func render(version: String, shards: [ShardStats], uptimeSeconds: Int) -> String {
        let open = shards.reduce(0) { $0 + $1.connectionsOpen }
        return "{\"version\":\"\(version)\",\"shards\":\(shards.count),\"uptime_seconds\":\(uptimeSeconds),\"connections\":\(open)}\n"
    }
}
