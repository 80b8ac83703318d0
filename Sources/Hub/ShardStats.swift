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
    /// Backend answers pushpind refused to act on: unparsable, invalid GRIP instructions, a
    /// GRIP body over its bound, WebSocket-over-HTTP control messages that would inject headers.
    public var backendInvalidResponses = 0
    /// TLS to `ssl` backends that could not be set up or whose handshake failed (a
    /// certificate that did not verify included).
    public var backendTLSErrors = 0
    public var parseErrors = 0
    /// Clients cut off for taking too long: over a request head (408), idle between
    /// requests on a keep-alive connection, stalled in a request body (408).
    public var clientHeaderTimeouts = 0
    public var clientIdleTimeouts = 0
    public var clientBodyTimeouts = 0
    /// Times this shard was woken by another thread through its mailbox.
    public var ringWakeups = 0
    /// Ring operations that found the submission queue full and waited for the next submit.
    public var ringSubmissionsDeferred = 0
    /// Held connections right now, by kind (gauges, filled in when a snapshot is taken).
    public var heldStream = 0
    public var heldResponse = 0
    /// (connection, channel) subscriptions and distinct channels right now (gauges).
    public var subscriptions = 0
    public var channels = 0
    /// Published messages this shard received from the control thread.
    public var messagesReceived = 0
    /// Deliveries queued to subscribers (one per subscriber per message).
    public var messagesDelivered = 0
    /// Deliveries not made: the subscriber's queue was full, or the format did not apply.
    public var deliveriesDropped = 0
    /// Deliveries a subscription's filters withheld (`skip-self`, `skip-users`, `require-sub`,
    /// or a format's `content-filters` that differ from the subscription's).
    public var deliveriesFiltered = 0
    /// Deliveries skipped because a content filter (`build-id`, `var-subst`) or a `body-patch`
    /// could not render the item for that subscriber.
    public var filterErrors = 0
    /// Subscribers closed because they stopped reading and their queue hit its bound.
    public var slowSubscriberCloses = 0
    /// WebSocket connections open now (gauge), opened, frames in and out, failures.
    public var webSocketOpen = 0
    public var webSocketSessionsOpened = 0
    public var webSocketHandshakeRejections = 0
    public var webSocketMessagesIn = 0
    public var webSocketMessagesOut = 0
    public var webSocketProtocolErrors = 0
    /// WebSocket-over-HTTP requests to backends, and those that failed.
    public var webSocketEventRequests = 0
    public var webSocketEventFailures = 0
    /// Times a WebSocket-over-HTTP client stopped being read because its queued events
    /// reached the bound (resumed once a request takes them).
    public var webSocketBackpressurePauses = 0
    /// GRIP reliable mode: next-link GETs, their retries, streams ended after the last
    /// retry failed, idle refreshes, and long-polls requested again.
    public var nextLinkFetches = 0
    /// Sessions that took their catch-up from another session's next-link fetch (same link, same Grip-Last).
    public var nextLinkSharedFetches = 0
    public var nextLinkRetries = 0
    public var nextLinkFailures = 0
    public var nextLinkIdleRefreshes = 0
    public var longPollReRequests = 0
    /// `Grip-Link rel=gone` POSTs sent when held clients went away.
    public var goneLinkPosts = 0
    /// Close codes seen or sent, by code.
    public var closeCodes: [UInt16: Int] = [:]
    /// Publish → delivery latency: counts per bucket of `LatencyBuckets.upperBoundsMicros`
    /// (the last bucket is +Inf) and the sum in microseconds.
    public var latencyCounts = [Int](repeating: 0, count: LatencyBuckets.upperBoundsMicros.count + 1)
    public var latencySumMicros = 0
    /// Client connection slots holding memory: open, or free and kept for reuse (gauge).
    public var connectionSlots = 0
    /// Times the shard gave memory back after its connection count fell.
    public var memoryReclaims = 0
    /// TLS clients (https listeners): handshakes completed (and of those, resumed with a
    /// ticket), handshakes that failed (garbage, no shared version or cipher, no certificate
    /// for the name) or stalled past `client_handshake_timeout`, sessions that failed after the
    /// handshake, and certificate files that did not load.
    public var tlsHandshakes = 0
    public var tlsResumedHandshakes = 0
    public var tlsHandshakeFailures = 0
    public var tlsHandshakeTimeouts = 0
    public var tlsSessionErrors = 0
    public var tlsCertificateErrors = 0

    public init() {}

    public mutating func countCloseCode(_ code: UInt16) {
        closeCodes[code, default: 0] += 1
    }

    /// Records `count` deliveries that each took `micros`.
    public mutating func recordLatency(micros: Int, count: Int = 1) {
        var bucket = 0
        while bucket < LatencyBuckets.upperBoundsMicros.count && micros > LatencyBuckets.upperBoundsMicros[bucket] { bucket += 1 }
        latencyCounts[bucket] += count
        latencySumMicros += micros * count
    }

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
        sum.backendInvalidResponses += rhs.backendInvalidResponses
        sum.backendTLSErrors += rhs.backendTLSErrors
        sum.parseErrors += rhs.parseErrors
        sum.clientHeaderTimeouts += rhs.clientHeaderTimeouts
        sum.clientIdleTimeouts += rhs.clientIdleTimeouts
        sum.clientBodyTimeouts += rhs.clientBodyTimeouts
        sum.ringWakeups += rhs.ringWakeups
        sum.ringSubmissionsDeferred += rhs.ringSubmissionsDeferred
        sum.heldStream += rhs.heldStream
        sum.heldResponse += rhs.heldResponse
        sum.subscriptions += rhs.subscriptions
        sum.channels += rhs.channels
        sum.messagesReceived += rhs.messagesReceived
        sum.messagesDelivered += rhs.messagesDelivered
        sum.deliveriesDropped += rhs.deliveriesDropped
        sum.slowSubscriberCloses += rhs.slowSubscriberCloses
        sum.deliveriesFiltered += rhs.deliveriesFiltered
        sum.filterErrors += rhs.filterErrors
        for i in sum.latencyCounts.indices { sum.latencyCounts[i] += rhs.latencyCounts[i] }
        sum.latencySumMicros += rhs.latencySumMicros
        sum.webSocketOpen += rhs.webSocketOpen
        sum.webSocketSessionsOpened += rhs.webSocketSessionsOpened
        sum.webSocketHandshakeRejections += rhs.webSocketHandshakeRejections
        sum.webSocketMessagesIn += rhs.webSocketMessagesIn
        sum.webSocketMessagesOut += rhs.webSocketMessagesOut
        sum.webSocketProtocolErrors += rhs.webSocketProtocolErrors
        sum.webSocketEventRequests += rhs.webSocketEventRequests
        sum.webSocketEventFailures += rhs.webSocketEventFailures
        sum.webSocketBackpressurePauses += rhs.webSocketBackpressurePauses
        sum.nextLinkFetches += rhs.nextLinkFetches
        sum.nextLinkSharedFetches += rhs.nextLinkSharedFetches
        sum.nextLinkRetries += rhs.nextLinkRetries
        sum.nextLinkFailures += rhs.nextLinkFailures
        sum.nextLinkIdleRefreshes += rhs.nextLinkIdleRefreshes
        sum.longPollReRequests += rhs.longPollReRequests
        sum.goneLinkPosts += rhs.goneLinkPosts
        sum.closeCodes.merge(rhs.closeCodes, uniquingKeysWith: +)
        sum.connectionSlots += rhs.connectionSlots
        sum.memoryReclaims += rhs.memoryReclaims
        sum.tlsHandshakes += rhs.tlsHandshakes
        sum.tlsResumedHandshakes += rhs.tlsResumedHandshakes
        sum.tlsHandshakeFailures += rhs.tlsHandshakeFailures
        sum.tlsHandshakeTimeouts += rhs.tlsHandshakeTimeouts
        sum.tlsSessionErrors += rhs.tlsSessionErrors
        sum.tlsCertificateErrors += rhs.tlsCertificateErrors
        return sum
    }
}

/// Bucket bounds of the publish → delivery latency histogram, in microseconds.
public enum LatencyBuckets {
    public static let upperBoundsMicros = [
        100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000,
        5_000_000,
    ]
}
