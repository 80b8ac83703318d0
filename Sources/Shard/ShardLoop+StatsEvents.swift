import Hub
import Wire

/// Events for the stats socket (stats.md §1): held sessions and WebSocket connections
/// coming and going, subscriber counts by mode, routed requests. Collected only when a
/// stats socket is configured (`statsEvents` is nil otherwise, so each hook is one check)
/// and sent to the control thread as one report per turn.
extension ShardLoop {
    func statsConnected(_ client: ClientConnection) {
        guard statsEvents != nil else { return }
        let type: StatsPacket.ConnectionType = client.webSocket == nil ? .http : .ws
        let peer = client.peerHost.isEmpty ? Sockets.peerHost(client.socket.fd) : client.peerHost
        statsEvents?.append(.connected(id: statsConnectionID(client), type: type, peerAddress: peer))
    }

    func statsDisconnected(_ client: ClientConnection) {
        guard statsEvents != nil else { return }
        statsEvents?.append(.disconnected(id: statsConnectionID(client)))
    }

    func statsSubscriber(_ client: ClientConnection, channel: String, delta: Int) {
        guard statsEvents != nil else { return }
        let mode: StatsPacket.SubscriptionMode =
            switch client.hold?.mode {
            case .stream?: .stream
            case .response?: .response
            case nil: .ws
            }
        statsEvents?.append(.subscribers(mode: mode, channel: channel, delta: delta))
    }

    func statsRequestRouted() {
        guard statsEvents != nil else { return }
        statsRequests += 1
    }

    /// Queues this turn's events as one report.
    func batchStatsEvents() {
        guard var events = statsEvents else { return }
        if statsRequests > 0 {
            events.append(.requests(statsRequests))
            statsRequests = 0
        }
        guard !events.isEmpty else { return }
        enqueueReport(.statsEvents(shard: index, events))
        statsEvents = []
    }

    /// A WebSocket-over-HTTP session is named by its Connection-Id, as its backend knows it
    /// (and `conncheck` asks); anything else by shard, slot and generation.
    func statsConnectionID(_ client: ClientConnection) -> String {
        if let session = client.webSocket, session.mode == .overHTTP { return session.connectionID }
        return "pushpind:\(index)-\(client.slot)-\(client.generation)"
    }
}
