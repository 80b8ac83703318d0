import Testing

/// Recovery driven by the control thread: `POST /recover/` brings every reliable session up to
/// date, and a session that starts behind the channel's last id catches up at once.
extension EndToEnd {
    @Suite struct GripRecoverTests {
        static func noFirstSubscriptionUpdate(_ setup: inout PushpindSetup) {
            setup.handler.append(("update_on_first_subscription", "false"))
        }

        @Test func recoverBringsStreamsAndLongPollsUpToDate() throws {
            try withScriptedOrigin(Self.noFirstSubscriptionUpdate) { origin, _, pushpind in
                let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/stream")
                let poll = try RawHTTPClient(port: pushpind.clientPort)
                try poll.send(.get("/poll"))
                try pushpind.waitForHeld(stream: 1, response: 1)
                origin.append("missed\n")  // its publish never arrives
                let response = try Publisher.send(port: pushpind.controlPort, body: [], path: "/recover/")
                #expect(response.status == 200)
                #expect(try subscriber.read(expecting: "start\nmissed\n") == "start\nmissed\n")
                #expect(try poll.readResponse().bodyText == "missed\n")
                #expect(Set(origin.gripLasts) == ["ch; last-id=0"])
            }
        }

        /// On the first subscriber's shard the shard itself saw the item; on the other, the
        /// control thread's `lastID` tells it: either way the late session catches up.
        @Test func aSessionThatStartsBehindTheChannelCatchesUpAtOnce() throws {
            try withScriptedOrigin(Self.noFirstSubscriptionUpdate) { origin, _, pushpind in
                let first = try StreamSubscriber(port: pushpind.clientPort, target: "/stream")
                try pushpind.waitForHeld(stream: 1)
                let one = origin.append("one\n")
                // Sequenced (no `no-seq`): the control thread records the channel's last id.
                try pushpind.publish([
                    "channel": ScriptedOrigin.channel, "id": one.id, "prev-id": one.prevID,
                    "formats": ["http-stream": ["content": "one\n"]],
                ])
                #expect(try first.read(expecting: "start\none\n") == "start\none\n")
                // Answered as if "one" did not exist yet: the channel is past its prev-id.
                let late = try StreamSubscriber(port: pushpind.clientPort, target: "/stream?stale=1")
                #expect(try late.read(expecting: "start\none\n") == "start\none\n")
                #expect(origin.gripLasts == ["ch; last-id=0"])
            }
        }
    }
}
