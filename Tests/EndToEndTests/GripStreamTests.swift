import Foundation
import Testing

/// `Grip-Hold: stream` (and its JSON instruct form): the client gets the backend's head
/// and body at once, then every `http-stream` publish on its channels as it happens.
extension EndToEnd {
    @Suite struct GripStreamTests {
        static let start = BackendStub.gripStreamBody

        @Test func streamHoldRelaysTheHeadAndBodyThenPublishes() throws {
            try withProxiedBackend { _, pushpind in
                let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/grip/stream?ch=a,b")
                let head = subscriber.head
                #expect(head.tokens("Transfer-Encoding") == ["chunked"])
                #expect(head.value("Content-Length") == nil, "Content-Length on a stream: \(head.value("Content-Length") ?? "")")
                let grip = head.headers.filter { $0.name.lowercased().hasPrefix("grip-") }
                #expect(grip.isEmpty, "Grip-* headers reached the client: \(grip)")
                #expect(head.value("X-Stub-Header") == "kept")
                #expect(head.value("Content-Type") == "text/plain")
                #expect(try subscriber.read(expecting: Self.start) == Self.start)

                try pushpind.waitForHeld(stream: 1)
                try pushpind.publish(PublishJSON.stream("a", "hello\n"))
                try pushpind.publish(PublishJSON.stream("b", "world\n"))
                let expected = Self.start + "hello\nworld\n"
                #expect(try subscriber.read(expecting: expected) == expected)
                #expect(subscriber.staysQuiet(for: .milliseconds(200)), "stream sent more than was published, or ended")
            }
        }

        /// The backend's own body may come chunked; it still opens the stream.
        @Test func chunkedBackendBodyOpensTheStream() throws {
            try withProxiedBackend { _, pushpind in
                let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/grip/stream?ch=ck&chunked=1")
                #expect(try subscriber.read(expecting: Self.start) == Self.start)
                try pushpind.waitForHeld(stream: 1)
                try pushpind.publish(PublishJSON.stream("ck", "after chunks\n"))
                #expect(try subscriber.read(expecting: Self.start + "after chunks\n") == Self.start + "after chunks\n")
            }
        }

        /// A list in one `Grip-Channel`, one header per channel, and a channel nobody holds.
        @Test func eachSubscriberGetsExactlyItsChannels() throws {
            try withProxiedBackend { _, pushpind in
                let listed = try StreamSubscriber(port: pushpind.clientPort, target: "/grip/stream?ch=a,b")
                let repeated = try StreamSubscriber(port: pushpind.clientPort, target: "/grip/stream?ch=b,c&split=1")
                let single = try StreamSubscriber(port: pushpind.clientPort, target: "/grip/stream?ch=c")
                try pushpind.waitForHeld(stream: 3)
                try pushpind.publish([
                    PublishJSON.stream("a", "1\n"), PublishJSON.stream("b", "2\n"),
                    PublishJSON.stream("c", "3\n"), PublishJSON.stream("nobody", "4\n"),
                ])
                for (subscriber, tail) in [(listed, "1\n2\n"), (repeated, "2\n3\n"), (single, "3\n")] {
                    let expected = Self.start + tail
                    #expect(try subscriber.read(expecting: expected) == expected)
                }
                for subscriber in [listed, repeated, single] {
                    #expect(subscriber.staysQuiet(for: .milliseconds(100)), "got more than its channels: \(subscriber.bodyText.debugDescription)")
                }
            }
        }

        /// Subscribers on both shards each see all 50 messages, in publish order, whether
        /// they came one per request or many items in one request.
        @Test func everySubscriberGetsEveryPublishInOrder() throws {
            try withProxiedBackend { _, pushpind in
                let subscribers = try Self.subscribersOnBothShards(pushpind, target: "/grip/stream?ch=order")
                let messages = (0..<50).map { "message \($0) of 50\n" }
                for message in messages.prefix(30) {
                    try pushpind.publish(PublishJSON.stream("order", message))
                }
                try pushpind.publish(messages.dropFirst(30).map { PublishJSON.stream("order", $0) })
                let expected = Self.start + messages.joined()
                for (index, subscriber) in subscribers.enumerated() {
                    let got = try subscriber.read(expecting: expected)
                    #expect(got == expected, "subscriber \(index) got \(got.debugDescription)")
                }
                try pushpind.expectMetrics {
                    $0.expectTotal("pushpind_messages_delivered_total", atLeast: Double(50 * subscribers.count))
                }
            }
        }

        /// Opens stream subscribers on `target` until both shards hold at least one (the
        /// kernel spreads SO_REUSEPORT connections by hash), at least 4 and at most 16.
        static func subscribersOnBothShards(_ pushpind: PushpindProcess, target: String) throws -> [StreamSubscriber] {
            var subscribers: [StreamSubscriber] = []
            for _ in 0..<16 {
                subscribers.append(try StreamSubscriber(port: pushpind.clientPort, target: target))
                guard subscribers.count >= 4 else { continue }
                try pushpind.waitForHeld(stream: subscribers.count)
                if try pushpind.heldStreamsPerShard(shards: 2).allSatisfy({ $0 > 0 }) { break }
            }
            let perShard = try pushpind.heldStreamsPerShard(shards: 2)
            #expect(perShard.allSatisfy { $0 > 0 }, "\(subscribers.count) subscribers all on one shard: \(perShard)")
            return subscribers
        }

        /// Chunk sizes count bytes, not characters: multi-byte UTF-8 `content`, and
        /// `content-bin` carrying every byte value (base64), arrive byte for byte.
        @Test func utf8AndBinaryContentArriveByteForByte() throws {
            try withProxiedBackend { _, pushpind in
                let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/grip/stream?ch=bytes")
                try pushpind.waitForHeld(stream: 1)
                let text = "héllo wörld ✓ 𝄞\n"
                let binary = (0...255).map { UInt8($0) }
                try pushpind.publish(PublishJSON.stream("bytes", text))
                try pushpind.publish([
                    "channel": "bytes",
                    "formats": ["http-stream": ["content-bin": Data(binary).base64EncodedString()]],
                ] as [String: Any])
                let expected = Array(Self.start.utf8) + Array(text.utf8) + binary
                let body = try subscriber.read(atLeast: expected.count)
                #expect(body == expected, "got \(body.count) bytes, expected \(expected.count)")
                #expect(subscriber.staysQuiet(for: .milliseconds(100)))
            }
        }

        @Test func httpResponsePublishesDoNotReachStreams() throws {
            try withProxiedBackend { _, pushpind in
                let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/grip/stream?ch=mixed")
                try pushpind.waitForHeld(stream: 1)
                try pushpind.publish(PublishJSON.response("mixed", body: "for long-polls only\n"))
                try pushpind.publish(PublishJSON.stream("mixed", "for streams\n"))
                let expected = Self.start + "for streams\n"
                #expect(try subscriber.read(expecting: expected) == expected)
                #expect(subscriber.staysQuiet(for: .milliseconds(100)))
                try pushpind.waitForHeld(stream: 1)
            }
        }

        @Test func closeActionEndsTheStreamCleanly() throws {
            try withProxiedBackend { _, pushpind in
                let closing = try StreamSubscriber(port: pushpind.clientPort, target: "/grip/stream?ch=bye")
                let other = try StreamSubscriber(port: pushpind.clientPort, target: "/grip/stream?ch=stay")
                try pushpind.waitForHeld(stream: 2)
                try pushpind.publish(PublishJSON.stream("bye", "last words\n"))
                try pushpind.publish(PublishJSON.streamClose("bye"))
                #expect(try closing.readToEnd() == Self.start + "last words\n")
                #expect(closing.ended, "no terminating chunk")
                try pushpind.waitForHeld(stream: 1)

                try pushpind.publish(PublishJSON.stream("stay", "still here\n"))
                let expected = Self.start + "still here\n"
                #expect(try other.read(expecting: expected) == expected)
                #expect(!other.ended)
            }
        }

        @Test func keepAliveChunksArriveWhileIdle() throws {
            try withProxiedBackend { _, pushpind in
                let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/grip/stream?ch=quiet&ka=1")
                #expect(subscriber.head.value("Grip-Keep-Alive") == nil)
                // timeout=1: the first "ping\n" is due within about a second of idling.
                let body = try subscriber.read(atLeast: Self.start.utf8.count + 5, timeout: .seconds(8))
                let text = String(decoding: body, as: UTF8.self)
                #expect(text.hasPrefix(Self.start))
                let pings = text.dropFirst(Self.start.count)
                let whole = pings.count - pings.count % 5
                #expect(pings.count >= 5 && String(pings.prefix(whole)) == String(repeating: "ping\n", count: whole / 5),
                        "keep-alive bytes: \(String(pings).debugDescription)")
            }
        }

        /// `Content-Type: application/grip-instruct` with a JSON stream hold.
        @Test func jsonInstructStreamHold() throws {
            try withProxiedBackend { _, pushpind in
                let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/grip/instruct?mode=stream&ch=json")
                let contentType = subscriber.head.value("Content-Type") ?? ""
                #expect(!contentType.lowercased().contains("grip-instruct"), "Content-Type: \(contentType)")
                #expect(subscriber.head.value("Content-Length") == nil)
                let start = BackendStub.gripInstructStreamBody
                #expect(try subscriber.read(expecting: start) == start)
                try pushpind.waitForHeld(stream: 1)
                try pushpind.publish(PublishJSON.stream("json", "via json\n"))
                #expect(try subscriber.read(expecting: start + "via json\n") == start + "via json\n")
            }
        }
    }
}
