import Foundation
import Testing

/// The publish side of reliable delivery seen by a stream subscriber: items published out
/// of `prev-id` order arrive in order, repeated ids are dropped, and a parked item still
/// goes out once `message_wait` ends.
extension EndToEnd {
    @Suite struct SequencingTests {
        static let opened = PublishTests.opened

        /// An `http-stream` item with an id and, optionally, the id it follows.
        static func item(_ channel: String, _ content: String, id: String? = nil, prev: String? = nil, noSeq: Bool = false) -> [String: Any] {
            var item = PublishJSON.stream(channel, content)
            if let id { item["id"] = id }
            if let prev { item["prev-id"] = prev }
            if noSeq { item["no-seq"] = true }
            return item
        }

        /// One held stream on `channel` of the test handler, registered with the control thread.
        static func subscribe(_ pushpind: PushpindProcess, _ channel: String) throws -> StreamSubscriber {
            let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/stream?channel=\(channel)")
            #expect(try subscriber.read(expecting: Self.opened) == Self.opened)
            try pushpind.waitForHeld(stream: 1)
            return subscriber
        }

        @Test func outOfOrderPublishesAreReleasedInOrder() throws {
            // A wait far longer than the test: only the missing item can release the others.
            try withPushpind(EndToEnd.PublishTests.testRoute(handler: [("message_wait", "600000")])) { pushpind in
                let subscriber = try Self.subscribe(pushpind, "seq")
                try pushpind.publish(Self.item("seq", "m1\n", id: "1"))
                try pushpind.publish(Self.item("seq", "m4\n", id: "4", prev: "3"))
                try pushpind.publish(Self.item("seq", "m3\n", id: "3", prev: "2"))
                try pushpind.publish(Self.item("seq", "m2\n", id: "2", prev: "1"))
                let expected = Self.opened + "m1\nm2\nm3\nm4\n"
                #expect(try subscriber.read(expecting: expected) == expected)
                try pushpind.expectMetrics { checks in
                    checks.expectValue("pushpind_sequencer_parked_total", [:], equals: 2)
                    checks.expectValue("pushpind_sequencer_released_total", ["reason": "in_order"], equals: 2)
                    checks.expectValue("pushpind_sequencer_parked", [:], equals: 0)
                }
            }
        }

        @Test func duplicatesAreDropped() throws {
            try withPushpind(EndToEnd.PublishTests.testRoute(handler: [("id_cache_ttl", "60")])) { pushpind in
                let subscriber = try Self.subscribe(pushpind, "dup")
                try pushpind.publish(Self.item("dup", "m1\n", id: "a"))
                try pushpind.publish(Self.item("dup", "XX\n", id: "a"))
                try pushpind.publish(Self.item("dup", "YY\n", id: "a", noSeq: true))
                try pushpind.publish(Self.item("dup", "m2\n", id: "b"))
                let expected = Self.opened + "m1\nm2\n"
                #expect(try subscriber.read(expecting: expected) == expected)
                try pushpind.expectMetrics { checks in
                    checks.expectValue("pushpind_publish_duplicates_dropped_total", [:], equals: 2)
                    checks.expectValue("pushpind_messages_published_total", [:], equals: 4)
                }
            }
        }

        /// The parked item goes out by the control loop's timer, with nothing published after
        /// the no-seq item that overtakes it.
        @Test func parkedItemsAreReleasedAfterMessageWait() throws {
            try withPushpind(EndToEnd.PublishTests.testRoute(handler: [("message_wait", "300")])) { pushpind in
                let subscriber = try Self.subscribe(pushpind, "late")
                try pushpind.publish(Self.item("late", "m1\n", id: "1"))
                try pushpind.publish(Self.item("late", "m3\n", id: "3", prev: "2"))
                try pushpind.publish(Self.item("late", "ns\n", noSeq: true))
                let expected = Self.opened + "m1\nns\nm3\n"
                #expect(try subscriber.read(expecting: expected) == expected)
                try pushpind.expectMetrics { checks in
                    checks.expectValue("pushpind_sequencer_released_total", ["reason": "timeout"], equals: 1)
                    checks.expectValue("pushpind_sequencer_parked", [:], equals: 0)
                }
            }
        }
    }
}

extension EndToEnd.SequencingTests {
    /// `POST /recover/` answers as Pushpin does, and forgets the last ids: an item whose
    /// `prev-id` no longer matches goes out at once instead of waiting.
    @Test func recoverForgetsLastIDs() throws {
        try withPushpind(EndToEnd.PublishTests.testRoute(handler: [("message_wait", "600000")])) { pushpind in
            let subscriber = try Self.subscribe(pushpind, "rec")
            try pushpind.publish(Self.item("rec", "m1\n", id: "1"))
            let answer = try Publisher.send(port: pushpind.controlPort, body: [], path: "/recover/")
            #expect(answer.status == 200)
            #expect(answer.bodyText == "Updated\n")
            try pushpind.publish(Self.item("rec", "m5\n", id: "5", prev: "9"))
            let expected = Self.opened + "m1\nm5\n"
            #expect(try subscriber.read(expecting: expected) == expected)

            let json = try Publisher.send(port: pushpind.controlPort, body: [], path: "/recover", headers: [("Accept", "application/json")])
            #expect(json.status == 200)
            #expect(json.bodyText == "{\"message\":\"Updated\"}\n")
            #expect(json.header("Content-Type") == "application/json")
            let get = try RawHTTPClient.fetch(port: pushpind.controlPort, "/recover/")
            #expect(get.status == 405)
            #expect(get.header("Allow") == "POST")
            try pushpind.expectMetrics { checks in
                checks.expectValue("pushpind_recover_commands_total", equals: 2)
                checks.expectValue("pushpind_sequencer_parked_total", equals: 0)
            }
        }
    }

    /// With `push_in_http_key`, recovering needs the same bearer token as publishing.
    @Test func recoverIsAuthorisedLikePublish() throws {
        let key = "secret"
        try withPushpind(EndToEnd.PublishTests.testRoute(handler: [("push_in_http_key", key)])) { pushpind in
            let refused = try Publisher.send(port: pushpind.controlPort, body: [], path: "/recover/")
            #expect(refused.status == 401)
            #expect(refused.header("WWW-Authenticate") == "Bearer")
            let wrong = try Publisher.send(
                port: pushpind.controlPort, body: [], path: "/recover/",
                headers: [("Authorization", "Bearer " + (try JWTTool.publishToken(key: "not-the-key")))])
            #expect(wrong.status == 401)
            let token = try JWTTool.publishToken(key: key)
            let accepted = try Publisher.send(port: pushpind.controlPort, body: [], path: "/recover/", headers: [("Authorization", "Bearer \(token)")])
            #expect(accepted.status == 200, "valid token: \(accepted.status) \(accepted.bodyText.debugDescription)")
            try pushpind.expectMetrics { checks in
                checks.expectValue("pushpind_recover_commands_total", equals: 1)
                checks.expectValue("pushpind_publish_rejected_total", ["reason": "unauthorized"], equals: 2)
            }
        }
    }
}
