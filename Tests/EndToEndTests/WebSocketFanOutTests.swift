import Testing

/// Publishing to many WebSocket clients at once, subscribed by their WOH backend.
extension EndToEnd {
    @Suite struct WebSocketFanOutTests {
        static let clientCount = 1000
        static let messageCount = 20
        /// Upgrade requests sent before their answers are read.
        static let handshakeBatch = 100

        /// Test (2): 1,000 clients over 2 shards, each subscribed to `room` by a `c:`
        /// control message in the OPEN response; every client receives every published
        /// message exactly once and in order (text and binary mixed), then a final marker
        /// with nothing before it but those messages.
        @Test func publishReachesAThousandClientsOnceEachInOrder() throws {
            try withOverHTTPBackend { backend, pushpind in
                let (clients, setupTime) = try measure { try Self.connectClients(port: pushpind.clientPort, count: Self.clientCount) }
                try pushpind.waitForSubscriptions(atLeast: Self.clientCount)
                #expect(Set(backend.requests.filter(\.isOpen).map(\.connectionID)).count == Self.clientCount)

                let expected: [WebSocketMessage] = (0..<Self.messageCount).map { index in
                    index % 4 == 3 ? .binary([UInt8(index), 0xFF, 0x00]) : .text("message \(index)")
                } + [.text("end")]
                let (_, publishTime) = try measure {
                    for message in expected {
                        switch message {
                        case .binary(let bytes): try pushpind.publishWebSocket(channel: "room", contentBinary: bytes)
                        case .text(let bytes): try pushpind.publishWebSocket(channel: "room", content: String(decoding: bytes, as: UTF8.self))
                        default: break
                        }
                    }
                }
                var failures: [String] = []
                let (_, readTime) = measure {
                    for (index, client) in clients.enumerated() {
                        var got: [WebSocketMessage] = []
                        do {
                            while got.count < expected.count { got.append(try client.readMessage(timeout: .seconds(10))) }
                        } catch {
                            failures.append("client \(index): \(error) after \(got.count) messages")
                            continue
                        }
                        if got != expected { failures.append("client \(index) got \(got)") }
                    }
                }
                #expect(failures.isEmpty, "\(failures.count) of \(clients.count) clients: \(failures.prefix(5))")
                // Nothing after the marker either (a duplicate of the last message would be there).
                for client in clients.enumerated().filter({ $0.offset % 50 == 0 }).map(\.element) {
                    #expect(client.peerState(within: .milliseconds(20)) == .open)
                }
                print("fan-out: \(clients.count) clients set up in \(setupTime), \(expected.count) publishes in \(publishTime), all read in \(readTime)")
                try pushpind.expectMetrics { checks in
                    checks.expectTotal("pushpind_subscriptions", equals: Double(Self.clientCount))
                    for shard in ["0", "1"] {
                        let value = checks.metrics.value("pushpind_subscriptions", ["shard": shard]) ?? 0
                        checks.expect(value > 0, "shard \(shard) holds no subscription: the clients did not spread over both shards")
                    }
                }
                for client in clients { client.close() }
                #expect(backend.waitFor(timeout: .seconds(15)) { requests in
                    requests.filter { $0.events?.contains(.disconnect) == true }.count >= Self.clientCount
                } != nil, "not every client's DISCONNECT reached the backend")
                try pushpind.expectMetrics(within: .seconds(10)) { $0.expectTotal("pushpind_subscriptions", equals: 0) }
            }
        }

        /// Opens `count` WebSocket clients on `/room?channel=room`, `handshakeBatch` upgrade
        /// requests at a time.
        static func connectClients(port: UInt16, count: Int) throws -> [WebSocketClient] {
            var clients: [WebSocketClient] = []
            clients.reserveCapacity(count)
            while clients.count < count {
                let batch = min(handshakeBatch, count - clients.count)
                let pending = try (0..<batch).map { _ in try WebSocketClient.startOpen(port: port, "/room?channel=room") }
                for handshake in pending {
                    clients.append(try handshake.finish())
                }
            }
            return clients
        }
    }
}
