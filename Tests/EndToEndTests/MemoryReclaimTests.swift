import Testing

/// After a connection peak the shards give memory back: once connections are gone and the
/// shard has been quiet for a while, only the open connections' slots keep their memory
/// (`pushpind_connection_slots`), even when the survivors are spread over the whole table, and
/// later connections work as before in the slots made again.
extension EndToEnd {
    @Suite struct MemoryReclaimTests {
        static let opened = Array("[stream opened]\n".utf8)
        /// A shard with fewer free slots keeps them (pushpind's `ReclaimSchedule.minimumFreeSlots`).
        static let minimumFreeSlots = 256
        static let shards = 2

        /// Opens `count` held streams on `channel` in batches; false if any did not open.
        static func openStreams(_ swarm: SubscriberSwarm, _ count: Int, channel: String, port: UInt16) throws -> Bool {
            let start = swarm.count
            for batch in stride(from: start, to: start + count, by: 200) {
                let end = min(batch + 200, start + count)
                for _ in batch..<end { try swarm.add(port: port, target: "/stream?channel=\(channel)") }
                let opened = swarm.pump(timeout: .seconds(20)) { swarm in
                    (batch..<end).allSatisfy { swarm.decoders[$0].body.count >= Self.opened.count || swarm.gone[$0] }
                }
                guard opened, (batch..<end).allSatisfy({ !swarm.gone[$0] && swarm.decoders[$0].status == 200 }) else { return false }
            }
            return true
        }

        /// Polls until the shards gave memory back and hold slots for at most `open` connections
        /// (plus what a shard with too few free slots keeps).
        static func expectSlotsBack(to open: Int, _ pushpind: PushpindProcess, reclaims: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let allowed = Double(open + Self.shards * (Self.minimumFreeSlots - 1))
            try pushpind.expectMetrics(within: .seconds(30), sourceLocation: sourceLocation) { checks in
                checks.expectTotal("pushpind_memory_reclaims_total", atLeast: Double(reclaims))
                let slots = checks.metrics.total("pushpind_connection_slots")
                checks.expect(slots <= allowed, "pushpind_connection_slots is \(slots) with \(open) open, expected at most \(allowed)")
            }
        }

        @Test func slotsGoBackAfterAPeakWhereverTheSurvivorsAreAndLaterConnectionsWork() throws {
            let peak = 2400
            try withPushpind(PublishTests.testRoute()) { pushpind in
                let crowd = SubscriberSwarm()
                defer { crowd.closeAll() }
                #expect(try Self.openStreams(crowd, peak, channel: "crowd", port: pushpind.clientPort), "the crowd did not open")
                try pushpind.waitForHeld(stream: peak, timeout: .seconds(20))
                #expect(try pushpind.metrics().total("pushpind_connection_slots") >= Double(peak))

                // Two of three leave; every third stays, spread over the whole table.
                for index in 0..<peak where index % 3 != 0 { crowd.close(index) }
                let survivors = peak / 3
                try pushpind.waitForHeld(stream: survivors, timeout: .seconds(20))
                try Self.expectSlotsBack(to: survivors, pushpind, reclaims: Self.shards)

                crowd.closeAll()
                try pushpind.waitForHeld(stream: 0, timeout: .seconds(20))
                try Self.expectSlotsBack(to: 0, pushpind, reclaims: 2 * Self.shards)

                // Slots are made again for new connections, and they work as before.
                let later = SubscriberSwarm()
                defer { later.closeAll() }
                #expect(try Self.openStreams(later, 50, channel: "later", port: pushpind.clientPort), "later streams did not open")
                try pushpind.waitForHeld(stream: 50, timeout: .seconds(20))
                try pushpind.publish(PublishJSON.stream("later", "after the trim\n"))
                let expected = Self.opened + Array("after the trim\n".utf8)
                let delivered = later.pump(timeout: .seconds(20)) { swarm in
                    swarm.decoders.allSatisfy { $0.body.count >= expected.count || $0.failure != nil }
                }
                #expect(delivered, "not every later stream got the message")
                #expect((0..<later.count).allSatisfy { later.decoders[$0].body == expected && !later.gone[$0] })
            }
        }
    }
}
