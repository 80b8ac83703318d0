/// Counters one shard keeps about its own traffic. Written only by that shard; a copy
/// crosses to the control thread inside a `ShardReport` when the control thread asks.
public struct ShardStats: Sendable, Equatable {
    public var connectionsOpen = 0
    public var connectionsAccepted = 0
    public var connectionsClosed = 0
    public var connectionsRefused = 0
    /// Responses sent to clients by status class: index 0 is 1xx … index 4 is 5xx.
    public var responsesByClass: [Int] = [0, 0, 0, 0, 0]
    public var clientBytesReceived = 0
    public var clientBytesSent = 0
    public var backendConnectErrors = 0
    public var backendResetErrors = 0
    public var backendTimeouts = 0
    public var parseErrors = 0
    /// Times this shard was woken by another thread through its mailbox.
    public var ringWakeups = 0

    public init() {}

    public mutating func countResponse(status: Int) {
        let index = min(max(status / 100, 1), 5) - 1
        responsesByClass[index] += 1
    }

    /// Field-wise sum, for the "total" series.
    public static func + (lhs: ShardStats, rhs: ShardStats) -> ShardStats {
        var sum = lhs
        sum.connectionsOpen += rhs.connectionsOpen
        sum.connectionsAccepted += rhs.connectionsAccepted
        sum.connectionsClosed += rhs.connectionsClosed
        sum.connectionsRefused += rhs.connectionsRefused
        for i in 0..<5 { sum.responsesByClass[i] += rhs.responsesByClass[i] }
        sum.clientBytesReceived += rhs.clientBytesReceived
        sum.clientBytesSent += rhs.clientBytesSent
        sum.backendConnectErrors += rhs.backendConnectErrors
        sum.backendResetErrors += rhs.backendResetErrors
        sum.backendTimeouts += rhs.backendTimeouts
        sum.parseErrors += rhs.parseErrors
        sum.ringWakeups += rhs.ringWakeups
        return sum
    }
}
