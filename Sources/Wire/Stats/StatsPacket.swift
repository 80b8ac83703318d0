/// How the stats socket encodes its messages (`stats_format`).
public enum StatsFormat: String, Sendable {
    case tnetstring
    case json
}

/// One message of the stats socket (stats.md §1): a single frame, the type word, a space,
/// then `T` + tnetstring or `J` + JSON object. Consumers subscribe by the type word and space.
public struct StatsPacket: Equatable, Sendable {
    public var type: String
    /// Members in the order written; `from` is added first when encoding.
    public var fields: [(String, TnetValue)]

    public init(type: String, fields: [(String, TnetValue)]) {
        self.type = type
        self.fields = fields
    }

    public func encode(format: StatsFormat, from: String) -> [UInt8] {
        var out = Array(type.utf8)
        out.append(UInt8(ascii: " "))
        let body = TnetValue.dict([("from", .string(from))] + fields)
        switch format {
        case .tnetstring:
            out.append(UInt8(ascii: "T"))
            TnetstringEncoder.append(body, to: &out)
        case .json:
            out.append(UInt8(ascii: "J"))
            JSONWriter.append(body.jsonValue, to: &out)
        }
        return out
    }

    public static func == (lhs: StatsPacket, rhs: StatsPacket) -> Bool {
        lhs.type == rhs.type && TnetValue.dict(lhs.fields) == TnetValue.dict(rhs.fields)
    }

    // MARK: the message types

    /// A held session or WebSocket connection, announced and then refreshed within `ttl`.
    /// `route` is the explicit `id=` of its route; Pushpin names no other route.
    public static func connected(id: String, type: ConnectionType, peerAddress: String, route: String? = nil, ttl: Int) -> StatsPacket {
        var fields: [(String, TnetValue)] = [("id", .string(id)), ("type", .string(type.rawValue))]
        if !peerAddress.isEmpty { fields.append(("peer-address", .string(peerAddress))) }
        if let route { fields.append(("route", .string(route))) }
        fields.append(("ttl", .int(ttl)))
        return StatsPacket(type: "conn", fields: fields)
    }

    public static func disconnected(id: String) -> StatsPacket {
        StatsPacket(type: "conn", fields: [("id", .string(id)), ("unavailable", .bool(true))])
    }

    /// `subscribers` is this instance's count for (mode, channel).
    public static func subscribed(mode: SubscriptionMode, channel: String, ttl: Int, subscribers: Int) -> StatsPacket {
        StatsPacket(type: "sub", fields: [
            ("mode", .string(mode.rawValue)), ("channel", .string(channel)), ("ttl", .int(ttl)),
            ("subscribers", .int(subscribers)),
        ])
    }

    public static func unsubscribed(mode: SubscriptionMode, channel: String) -> StatsPacket {
        StatsPacket(type: "sub", fields: [
            ("mode", .string(mode.rawValue)), ("channel", .string(channel)), ("unavailable", .bool(true)),
        ])
    }

    /// One published item for one transport: `count` recipients.
    public static func message(channel: String, itemID: String?, count: Int, transport: Transport) -> StatsPacket {
        var fields: [(String, TnetValue)] = [("channel", .string(channel))]
        if let itemID { fields.append(("item-id", .string(itemID))) }
        fields.append(("count", .int(count)))
        fields.append(("transport", .string(transport.rawValue)))
        return StatsPacket(type: "message", fields: fields)
    }

    /// Activity on one route: `route` as for `connected`.
    public static func activity(count: Int, route: String? = nil) -> StatsPacket {
        var fields: [(String, TnetValue)] = [("count", .int(count))]
        if let route { fields.append(("route", .string(route))) }
        return StatsPacket(type: "activity", fields: fields)
    }

    public static func counts(requestsReceived: Int) -> StatsPacket {
        StatsPacket(type: "counts", fields: [("requests-received", .int(requestsReceived))])
    }

    public static func report(_ report: StatsReport) -> StatsPacket {
        StatsPacket(type: "report", fields: [
            ("connections", .int(report.connections)), ("minutes", .int(report.minutes)),
            ("received", .int(report.received)), ("sent", .int(report.sent)),
            ("http-response-sent", .int(report.httpResponseSent)), ("duration", .int(report.durationMillis)),
        ])
    }

    public enum ConnectionType: String, Sendable {
        case http
        case ws
    }

    public enum SubscriptionMode: String, Sendable, CaseIterable {
        case response
        case stream
        case ws
    }

    public enum Transport: String, Sendable {
        case httpResponse = "http-response"
        case httpStream = "http-stream"
        case wsMessage = "ws-message"
    }
}

/// The `report` message's counters over one interval (the byte counters are not tracked).
public struct StatsReport: Equatable, Sendable {
    /// Most connections announced at once during the interval.
    public var connections = 0
    /// Connection-minutes accumulated.
    public var minutes = 0
    /// Items published into this instance.
    public var received = 0
    /// Deliveries to clients, and those of them that completed a held response.
    public var sent = 0
    public var httpResponseSent = 0
    public var durationMillis = 0

    public init() {}
}
