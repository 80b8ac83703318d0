import Hub

/// The command socket's `conncheck` and `refresh`, for this shard's sessions.
extension ShardLoop {
    /// The ids among `ids` that name a live held session or WebSocket connection here. Ids of
    /// the `pushpind:<shard>-<slot>-<generation>` form are looked up directly; the others
    /// (WebSocket-over-HTTP Connection-Ids) by one walk over the connections, as the command is rare.
    func findConnections(_ ids: [String], refresh: Bool) -> [String] {
        var found: [String] = []
        var connectionIDs: Set<String> = []
        for id in ids {
            if let handle = slotHandle(id) {
                if let client = clients.live(handle), client.hold != nil || client.webSocket?.accepted == true {
                    found.append(id)
                    if refresh { refreshSession(client) }
                }
            } else {
                connectionIDs.insert(id)
            }
        }
        guard !connectionIDs.isEmpty else { return found }
        for client in clients where client.isLive {
            guard let session = client.webSocket, session.mode == .overHTTP, session.accepted else { continue }
            let id = session.connectionID
            guard connectionIDs.remove(id) != nil else { continue }
            found.append(id)
            if refresh { refreshSession(client) }
            if connectionIDs.isEmpty { break }
        }
        return found
    }

    func refreshSessions(of channel: String) {
        guard let subscribers = subscriptionTable.subscribers(of: channel) else { return }
        for slot in subscribers.members {
            let client = clients[Int(slot)]
            if client.isLive { refreshSession(client) }
        }
    }

    /// A WebSocket-over-HTTP session asks its backend now (an empty events request, as a
    /// keep-alive); one with a request in flight already does.
    private func refreshSession(_ client: ClientConnection) {
        guard let session = client.webSocket, session.mode == .overHTTP, session.accepted else { return }
        sendEvents(client, session, keepAlive: true)
    }

    /// The slot and generation of a `pushpind:<shard>-<slot>-<generation>` id of this shard.
    private func slotHandle(_ id: String) -> ConnectionHandle? {
        guard id.hasPrefix("pushpind:") else { return nil }
        let numbers = id.dropFirst("pushpind:".count).split(separator: "-")
        guard numbers.count == 3, let shard = Int(numbers[0]), let slot = UInt32(numbers[1]),
            let generation = UInt32(numbers[2])
        else { return nil }
        // Another shard's id: not here, and not a Connection-Id either.
        guard shard == index else { return ConnectionHandle(slot: .max, generation: 0) }
        return ConnectionHandle(slot: slot, generation: generation)
    }
}
