import Hub
import Wire

/// What the stats socket says (stats.md §1–2), as a state machine: shard events, published
/// items and the clock go in, stats packets come out. It keeps the instance's announced
/// connections and subscriber counts per (mode, channel), summed over shards, re-announces
/// each within ¾ of its ttl, and closes a report every interval.
struct StatsTracker {
    struct Settings {
        var connectionTTL = 120
        var subscriptionTTL = 60
        /// 0: no reports.
        var reportIntervalNanos: Int64 = 10_000_000_000
        /// Response-mode subscriptions are withdrawn this long after their last subscriber left.
        var responseLingerNanos: Int64 = 60_000_000_000
    }

    struct SubscriptionKey: Hashable {
        var mode: StatsPacket.SubscriptionMode
        var channel: String
    }

    private struct Connection {
        var type: StatsPacket.ConnectionType
        var peerAddress: String
        var route: String?
        var announcedAt: Int64
    }

    private struct Subscription {
        var count = 0
        var announcedAt: Int64 = 0
        /// Set while a response-mode entry without subscribers lingers.
        var withdrawAt: Int64? = nil
    }

    let settings: Settings
    private var connections: [String: Connection] = [:]
    private var subscriptions: [SubscriptionKey: Subscription] = [:]
    private var report = StatsReport()
    private var reportStart: Int64
    private var connectionNanos: Int64 = 0
    private var countedUntil: Int64
    private var nextRefreshScan: Int64
    /// Refresh scans run at most this often; entries are refreshed within ¾ of their ttl plus this.
    static let refreshScanNanos: Int64 = 1_000_000_000

    init(settings: Settings, now: Int64) {
        self.settings = settings
        reportStart = now
        countedUntil = now
        nextRefreshScan = now + Self.refreshScanNanos
    }

    var connectionCount: Int { connections.count }
    func hasConnection(_ id: String) -> Bool { connections[id] != nil }

    func subscribers(_ mode: StatsPacket.SubscriptionMode, _ channel: String) -> Int {
        subscriptions[SubscriptionKey(mode: mode, channel: channel)]?.count ?? 0
    }

    /// One shard's batch. Subscriber changes are announced once per (mode, channel) per batch.
    mutating func apply(_ events: [StatsEvent], now: Int64) -> [StatsPacket] {
        var packets: [StatsPacket] = []
        var changed: [SubscriptionKey] = []
        var requests = 0
        for event in events {
            switch event {
            case let .connected(id, type, peerAddress, route):
                countConnections(until: now)
                connections[id] = Connection(type: type, peerAddress: peerAddress, route: route, announcedAt: now)
                report.connections = max(report.connections, connections.count)
                packets.append(.connected(id: id, type: type, peerAddress: peerAddress, route: route, ttl: settings.connectionTTL))
            case let .disconnected(id):
                countConnections(until: now)
                if connections.removeValue(forKey: id) != nil { packets.append(.disconnected(id: id)) }
            case let .subscribers(mode, channel, delta):
                let key = SubscriptionKey(mode: mode, channel: channel)
                var entry = subscriptions[key] ?? Subscription()
                entry.count = max(0, entry.count + delta)
                subscriptions[key] = entry
                if !changed.contains(key) { changed.append(key) }
            case let .requests(count, route):
                packets.append(.activity(count: count, route: route))
                requests += count
            }
        }
        // `counts` is the instance's total, whatever the routes.
        if requests > 0 { packets.append(.counts(requestsReceived: requests)) }
        for key in changed {
            guard var entry = subscriptions[key] else { continue }
            if entry.count > 0 {
                entry.withdrawAt = nil
                entry.announcedAt = now
                subscriptions[key] = entry
                packets.append(.subscribed(mode: key.mode, channel: key.channel, ttl: settings.subscriptionTTL, subscribers: entry.count))
            } else if key.mode == .response && settings.responseLingerNanos > 0 {
                // Long-pollers come back constantly: keep the entry a while.
                if entry.withdrawAt == nil { entry.withdrawAt = now + settings.responseLingerNanos }
                subscriptions[key] = entry
            } else {
                subscriptions[key] = nil
                packets.append(.unsubscribed(mode: key.mode, channel: key.channel))
            }
        }
        return packets
    }

    /// One item delivered to the shards: a `message` per transport with subscribers here.
    mutating func published(_ item: PublishItem) -> [StatsPacket] {
        report.received += 1
        var packets: [StatsPacket] = []
        let transports: [(Bool, StatsPacket.SubscriptionMode, StatsPacket.Transport)] = [
            (item.httpResponse != nil, .response, .httpResponse),
            (item.httpStream != nil, .stream, .httpStream),
            (item.wsMessage != nil, .ws, .wsMessage),
        ]
        for (present, mode, transport) in transports where present {
            let count = subscribers(mode, item.channel)
            guard count > 0 else { continue }
            report.sent += count
            if transport == .httpResponse { report.httpResponseSent += count }
            packets.append(.message(channel: item.channel, itemID: item.id, count: count, transport: transport))
        }
        return packets
    }

    /// Refreshes, lingering withdrawals and the periodic report that are due.
    mutating func tick(now: Int64) -> [StatsPacket] {
        var packets: [StatsPacket] = []
        if now >= nextRefreshScan {
            nextRefreshScan = now + Self.refreshScanNanos
            refresh(now: now, into: &packets)
        }
        if settings.reportIntervalNanos > 0, now - reportStart >= settings.reportIntervalNanos {
            countConnections(until: now)
            report.durationMillis = Int((now - reportStart) / 1_000_000)
            report.minutes = Int(connectionNanos / 60_000_000_000)
            connectionNanos %= 60_000_000_000
            packets.append(.report(report))
            report = StatsReport()
            report.connections = connections.count
            reportStart = now
        }
        return packets
    }

    private mutating func refresh(now: Int64, into packets: inout [StatsPacket]) {
        let connectionDue = Int64(settings.connectionTTL) * 750_000_000
        for (id, connection) in connections where now - connection.announcedAt >= connectionDue {
            connections[id]?.announcedAt = now
            packets.append(
                .connected(
                    id: id, type: connection.type, peerAddress: connection.peerAddress, route: connection.route,
                    ttl: settings.connectionTTL))
        }
        let subscriptionDue = Int64(settings.subscriptionTTL) * 750_000_000
        for (key, entry) in subscriptions {
            if let withdrawAt = entry.withdrawAt {
                if now >= withdrawAt {
                    subscriptions[key] = nil
                    packets.append(.unsubscribed(mode: key.mode, channel: key.channel))
                }
            } else if now - entry.announcedAt >= subscriptionDue {
                subscriptions[key]?.announcedAt = now
                packets.append(.subscribed(mode: key.mode, channel: key.channel, ttl: settings.subscriptionTTL, subscribers: entry.count))
            }
        }
    }

    /// Adds the connection time since the last change, for `minutes`.
    private mutating func countConnections(until now: Int64) {
        connectionNanos += Int64(connections.count) * max(0, now - countedUntil)
        countedUntil = now
    }
}
