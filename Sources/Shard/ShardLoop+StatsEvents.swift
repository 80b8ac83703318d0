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
        statsEvents?.append(.connected(id: statsConnectionID(client), type: type, peerAddress: peer, route: client.exchange.statsRoute))
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

    /// A request matched route `index`; its connection keeps the route's id for `statsConnected`.
    func statsRequestRouted(_ client: ClientConnection, route index: Int) {
        guard statsEvents != nil else { return }
        if let route = resolvedRoutes[index].statsRoute {
            client.exchange.statsRoute = route
            statsRouteRequests[route, default: 0] += 1
        } else {
            statsRequests += 1
        }
    }

    /// Queues this turn's events as one report.
    func batchStatsEvents() {
        guard var events = statsEvents else { return }
        if statsRequests > 0 {
            events.append(.requests(statsRequests, route: nil))
            statsRequests = 0
        }
        if !statsRouteRequests.isEmpty {
            for (route, count) in statsRouteRequests { events.append(.requests(count, route: route)) }
            statsRouteRequests.removeAll(keepingCapacity: true)
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
