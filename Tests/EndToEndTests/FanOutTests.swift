import Testing

/// Publishing to many held streams at once: every subscriber gets exactly its channel's
/// messages, and one client that stops reading costs nobody else anything.
extension EndToEnd {
    @Suite struct FanOutTests {
        static let opened = Array("[stream opened]\n".utf8)

        /// 2,000 streams over 2 shards and 4 channels, 20 messages per channel: per
        /// subscriber, the exact sequence of its channel, nothing lost, repeated or foreign.
        @Test func twoThousandSubscribersGetExactlyTheirChannel() throws {
            let subscriberCount = 2000
            let channels = (0..<4).map { "fan\($0)" }
            let messagesPerChannel = 20
            try withPushpind(PublishTests.testRoute()) { pushpind in
                let swarm = SubscriberSwarm()
                defer { swarm.closeAll() }
                // Batches keep pushpind's accept queue short and show a stall early.
                for batch in stride(from: 0, to: subscriberCount, by: 200) {
                    let end = min(batch + 200, subscriberCount)
                    for index in batch..<end {
                        try swarm.add(port: pushpind.clientPort, target: "/stream?channel=\(channels[index % channels.count])")
                    }
                    let opened = swarm.pump(timeout: .seconds(20)) { swarm in
                        (batch..<end).allSatisfy { swarm.decoders[$0].body.count >= Self.opened.count || swarm.gone[$0] }
                    }
                    guard opened, (batch..<end).allSatisfy({ !swarm.gone[$0] && swarm.decoders[$0].status == 200 }) else {
                        Issue.record("subscribers \(batch)..<\(end) did not all get their stream opened")
                        return
                    }
                }
                try pushpind.waitForHeld(stream: subscriberCount, timeout: .seconds(20))
                let perShard = try pushpind.heldStreamsPerShard(shards: 2)
                #expect(perShard.allSatisfy { $0 > 0 }, "held streams per shard: \(perShard)")

                func message(_ channel: String, _ sequence: Int) -> String {
                    "\(channel) message \(sequence < 10 ? "0" : "")\(sequence)\n"
                }
                for sequence in 0..<messagesPerChannel {
                    try pushpind.publish(channels.map { PublishJSON.stream($0, message($0, sequence)) })
                }
                let expected = channels.map { channel in
                    Self.opened + Array((0..<messagesPerChannel).map { message(channel, $0) }.joined().utf8)
                }
                let expectedLength = expected.map(\.count).max() ?? 0
                let complete = swarm.pump(timeout: .seconds(30)) { swarm in
                    swarm.decoders.allSatisfy { $0.body.count >= expectedLength || $0.failure != nil }
                }
                swarm.pump(timeout: .milliseconds(200)) { _ in false }  // late duplicates would show now

                var wrong: [String] = []
                for index in 0..<swarm.count {
                    let decoder = swarm.decoders[index]
                    let want = expected[index % channels.count]
                    if decoder.body != want || decoder.failure != nil || swarm.gone[index] {
                        wrong.append("""
                            subscriber \(index) (\(channels[index % channels.count])): \
                            \(decoder.failure ?? (swarm.gone[index] ? "closed" : "")) got \(decoder.body.count) of \(want.count) bytes, \
                            tail \(String(swarm.bodyText(index).suffix(60)).debugDescription)
                            """)
                    }
                }
                #expect(complete, "not every subscriber got all \(messagesPerChannel) messages in time")
                #expect(wrong.isEmpty, "\(wrong.count) of \(subscriberCount) subscribers got the wrong bytes, e.g.:\n\(wrong.prefix(5).joined(separator: "\n"))")
                try pushpind.expectMetrics {
                    $0.expectTotal("pushpind_messages_delivered_total", atLeast: Double(subscriberCount * messagesPerChannel))
                }

                swarm.closeAll()
                try pushpind.waitForHeld(stream: 0, timeout: .seconds(20))
                try pushpind.expectMetrics(within: .seconds(10)) {
                    $0.expectTotal("pushpind_subscriptions", equals: 0)
                    $0.expectTotal("pushpind_channels", equals: 0)
                }
            }
        }

        static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        static let filler: [UInt8] = (0..<(65_536 + alphabet.count)).map { alphabet[$0 % alphabet.count] }

        /// Exactly 64 KiB: the sequence number first, then filler shifted per message.
        static func bigMessage(_ sequence: Int) -> [UInt8] {
            let head = Array("message \(sequence) ".utf8)
            let offset = sequence % alphabet.count
            return head + filler[offset..<(offset + 65_536 - head.count - 1)] + [10]
        }

        /// One client with a tiny receive buffer never reads; 200 × 64 KiB are published
        /// to it and three readers. The readers get every byte in order; the stuck one is
        /// closed and counted in `pushpind_slow_subscriber_closes_total`.
        ///
        /// The publishes go in batches of 640 KiB, each read by the readers before the next:
        /// a reader must never look slow just because the test thread was busy publishing.
        @Test func aClientThatNeverReadsIsClosedWhileOthersGetEverything() throws {
            let messageCount = 200
            let batch = 10
            let messages = (0..<messageCount).map(Self.bigMessage)
            #expect(messages.allSatisfy { $0.count == 65_536 })
            let expected = Self.opened + messages.joined()
            try withPushpind(PublishTests.testRoute()) { pushpind in
                let swarm = SubscriberSwarm()
                defer { swarm.closeAll() }
                for _ in 0..<3 { try swarm.add(port: pushpind.clientPort, target: "/stream?channel=big") }
                let stuck = try TCPSocket.connect(port: pushpind.clientPort, receiveBuffer: 2048)
                defer { stuck.close() }
                try stuck.send(HTTPRequest.get("/stream?channel=big").bytes, deadline: Deadline(in: .seconds(5)))
                try pushpind.waitForHeld(stream: 4)

                let readers = 0..<3
                func settled(_ swarm: SubscriberSwarm, _ index: Int, _ length: Int) -> Bool {
                    swarm.decoders[index].body.count >= length || swarm.gone[index] || swarm.decoders[index].failure != nil
                }
                for first in stride(from: 0, to: messageCount, by: batch) {
                    let items = messages[first..<(first + batch)].map { PublishJSON.stream("big", String(decoding: $0, as: UTF8.self)) }
                    try pushpind.publish(items)
                    let length = Self.opened.count + (first + batch) * 65_536
                    let caughtUp = swarm.pump(timeout: .seconds(20)) { swarm in readers.allSatisfy { settled(swarm, $0, length) } }
                    let fine = readers.allSatisfy { !swarm.gone[$0] && swarm.decoders[$0].failure == nil }
                    guard caughtUp && fine else {
                        let state = readers.map { "reader \($0): \(swarm.decoders[$0].body.count) bytes, \(swarm.gone[$0] ? "closed" : "open") \(swarm.decoders[$0].failure ?? "")" }
                        Issue.record("after message \(first + batch) of \(messageCount), readers fell behind or were closed: \(state)")
                        break
                    }
                }

                for index in readers {
                    let body = swarm.decoders[index].body
                    // Compared as a Bool: #expect on two 13 MB arrays would diff them element by element.
                    let same = body == expected
                    let firstDifference = same ? nil : (0..<min(body.count, expected.count)).first { body[$0] != expected[$0] } ?? min(body.count, expected.count)
                    #expect(same, "reader \(index) got \(body.count) of \(expected.count) bytes, first difference at \(firstDifference ?? -1)")
                }
                try pushpind.expectMetrics(within: .seconds(10)) {
                    $0.expectTotal("pushpind_slow_subscriber_closes_total", atLeast: 1)
                }
                try pushpind.waitForHeld(stream: 3)
            }
        }
    }
}
