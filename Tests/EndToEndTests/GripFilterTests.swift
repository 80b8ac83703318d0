import Foundation
import Testing

/// Filters on subscriptions (`Grip-Channel: ch; filter=…`, `Grip-Set-Meta`, WebSocket-over-HTTP
/// `subscribe` `filters`) and items (`meta`, `content-filters`, `body-patch`), as a client sees
/// them. The stub's `/grip/echo` answers with the `X-Stub-Grip-*` fields the client sends, so
/// each subscriber picks its own channels, filters and meta.
extension EndToEnd {
    @Suite struct GripFilterTests {
        /// A stream held through `/grip/echo` with these GRIP fields and initial body.
        static func stream(_ pushpind: PushpindProcess, _ grip: [(String, String)], body: String = "") throws -> StreamSubscriber {
            try StreamSubscriber(
                port: pushpind.clientPort, target: "/grip/echo",
                headers: [("X-Stub-Grip-Hold", "stream"), ("X-Stub-Body", body)] + grip.map { ("X-Stub-Grip-" + $0.0, $0.1) })
        }

        static func item(_ channel: String, _ content: String, meta: [String: String] = [:], id: String? = nil, prevID: String? = nil,
                         contentFilters: [String]? = nil) -> [String: Any] {
            var format: [String: Any] = ["content": content]
            if let contentFilters { format["content-filters"] = contentFilters }
            var item: [String: Any] = ["channel": channel, "meta": meta, "formats": ["http-stream": format]]
            if let id { item["id"] = id }
            if let prevID { item["prev-id"] = prevID }
            return item
        }

        @Test func skipSelfAndSkipUsersWithholdItemsFromTheNamedUsers() throws {
            try withProxiedBackend { _, pushpind in
                let alice = try Self.stream(pushpind, [("Channel", "room; filter=skip-self; filter=skip-users"), ("Set-Meta", #"user="alice""#)])
                let bob = try Self.stream(pushpind, [("Channel", "room; filter=skip-self; filter=skip-users"), ("Set-Meta", #"user="bob""#)])
                let plain = try Self.stream(pushpind, [("Channel", "room")])
                try pushpind.waitForHeld(stream: 3)
                try pushpind.publish([
                    Self.item("room", "alice says hi\n", meta: ["sender": "alice"]),
                    Self.item("room", "not for bob\n", meta: ["skip_users": "carol , bob"]),
                    Self.item("room", "for all\n", meta: ["sender": "dave"]),
                ])
                #expect(try alice.read(expecting: "not for bob\nfor all\n") == "not for bob\nfor all\n")
                #expect(try bob.read(expecting: "alice says hi\nfor all\n") == "alice says hi\nfor all\n")
                let everything = "alice says hi\nnot for bob\nfor all\n"
                #expect(try plain.read(expecting: everything) == everything)
                try pushpind.expectMetrics { $0.expectTotal("pushpind_deliveries_filtered_total", atLeast: 2) }
            }
        }

        /// django-eventstream's permission kick: a message and a close on `user-<id>` with
        /// `require_sub` naming one channel end only the streams subscribed to that channel.
        @Test func requireSubKickEndsOnlyTheStreamsOnTheNamedChannel() throws {
            try withProxiedBackend { _, pushpind in
                let onA = try Self.stream(pushpind, [("Channel", "user-1; filter=require-sub, events-a")])
                let onB = try Self.stream(pushpind, [("Channel", "user-1; filter=require-sub, events-b")])
                try pushpind.waitForHeld(stream: 2)
                let kick = ["require_sub": "events-a"]
                try pushpind.publish([
                    Self.item("user-1", "kicked from a\n", meta: kick, id: "kick-1"),
                    ["channel": "user-1", "id": "kick-2", "prev-id": "kick-1", "meta": kick, "formats": ["http-stream": ["action": "close"]]],
                ])
                #expect(try onA.readToEnd() == "kicked from a\n")
                try pushpind.publish(Self.item("events-b", "still here\n"))
                #expect(try onB.read(expecting: "still here\n") == "still here\n")
                #expect(onB.staysQuiet(for: .milliseconds(200)), "the kick for events-a ended a stream on events-b")
            }
        }

        /// django-eventstream: ids built from `id_format` and the channel's advancing id, `%%`
        /// unescaped in the initial body and in items; an item whose content filters differ
        /// from a subscription's is not delivered to it.
        @Test func buildIDRendersEventIDsInTheInitialBodyAndItems() throws {
            try withProxiedBackend { _, pushpind in
                let sse = try Self.stream(
                    pushpind,
                    [
                        ("Channel", "events-a; prev-id=1; filter=build-id; filter=skip-users"),
                        ("Set-Meta", #"id_format="a:%(events-a)s", user="1""#), ("Link", "</events?link=next>; rel=next"),
                    ],
                    body: #"event: stream-open\ndata: 50%% done\n\n"#)
                let plain = try Self.stream(pushpind, [("Channel", "events-a")])
                let start = "event: stream-open\ndata: 50% done\n\n"
                #expect(try sse.read(expecting: start) == start)
                try pushpind.waitForHeld(stream: 2)
                try pushpind.publish([
                    Self.item("events-a", "id: %I\ndata: 100%% done\n\n", id: "2", prevID: "1", contentFilters: ["build-id"]),
                    Self.item("events-a", "id: %I\ndata: x\n\n", id: "3", prevID: "2", contentFilters: ["build-id"]),
                    Self.item("events-a", "plain\n", id: "4", prevID: "3"),
                ])
                let expected = start + "id: a:2\ndata: 100% done\n\nid: a:3\ndata: x\n\nplain\n"
                #expect(try sse.read(expecting: expected) == expected)
                #expect(try plain.read(expecting: "plain\n") == "plain\n", "a build-id item reached a subscription without build-id")
            }
        }

        @Test func varSubstAndHexIDsAndAFilterErrorSkipsOnlyThatItem() throws {
            try withProxiedBackend { _, pushpind in
                // In channel order: build-id renders %I and turns %% into %, then var-subst.
                let subscriber = try Self.stream(
                    pushpind, [("Channel", "vs; filter=build-id; filter=var-subst"), ("Set-Meta", #"name="Bob", id_format="<x>", id_encoding=hex"#)])
                try pushpind.waitForHeld(stream: 1)
                let both = ["build-id", "var-subst"]
                try pushpind.publish([
                    Self.item("vs", "hello %%(name)s %I\n", contentFilters: both),
                    Self.item("vs", "bad %%(nobody)s\n", contentFilters: both),
                    Self.item("vs", "after\n", contentFilters: both),
                ])
                #expect(try subscriber.read(expecting: "hello Bob 3c783e\nafter\n") == "hello Bob 3c783e\nafter\n")
                try pushpind.expectMetrics { $0.expectTotal("pushpind_filter_errors_total", atLeast: 1) }
            }
        }

        /// Long-polls: skip-self keeps the sender's own poll held; `body-patch` rewrites each
        /// hold's own timeout body.
        @Test func longPollsSkipTheirOwnItemsAndGetPatchedBodies() throws {
            try withProxiedBackend { _, pushpind in
                func poll(_ user: String) throws -> RawHTTPClient {
                    let client = try RawHTTPClient(port: pushpind.clientPort)
                    try client.send(.get("/grip/echo", headers: [
                        ("X-Stub-Grip-Hold", "response"), ("X-Stub-Grip-Channel", "lp; filter=skip-self"),
                        ("X-Stub-Grip-Set-Meta", "user=\"\(user)\""), ("X-Stub-Body", #"{"user":"\#(user)","n":1}\n"#),
                    ]))
                    return client
                }
                let alice = try poll("alice")
                let bob = try poll("bob")
                try pushpind.waitForHeld(response: 2)
                let patch: [[String: Any]] = [["op": "replace", "path": "/n", "value": 2], ["op": "add", "path": "/by", "value": "alice"]]
                try pushpind.publish(["channel": "lp", "meta": ["sender": "alice"], "formats": ["http-response": ["body-patch": patch]]])
                let answer = try bob.readResponse()
                #expect(answer.bodyText == "{\"by\":\"alice\",\"n\":2,\"user\":\"bob\"}\n")
                try pushpind.waitForHeld(response: 1)
                try pushpind.publish(PublishJSON.response("lp", body: "for alice\n"))
                #expect(try alice.readResponse().bodyText == "for alice\n")
            }
        }

        /// WebSocket-over-HTTP: `subscribe` with `filters`, meta from `set-meta`.
        @Test func webSocketSubscriptionsWithFilters() throws {
            let handler: WOHBackend.Handler = { request in
                guard let events = request.events, events.first == .open else { return .events([]) }
                let user = request.query("user") ?? "nobody"
                return .events(
                    [
                        .open, .control(#"{"type":"set-meta","name":"user","value":"\#(user)"}"#),
                        .control(#"{"type":"subscribe","channel":"chat","filters":["skip-self","var-subst"]}"#),
                    ], headers: [("Sec-WebSocket-Extensions", "grip")])
            }
            try withOverHTTPBackend(handler) { backend, pushpind in
                let alice = try WebSocketClient.connect(port: pushpind.clientPort, "/?user=alice")
                let bob = try WebSocketClient.connect(port: pushpind.clientPort, "/?user=bob")
                try pushpind.waitForSubscriptions(atLeast: 2)
                for (content, sender) in [("from alice to %(user)s", "alice"), ("from bob to %(user)s", "bob")] {
                    try pushpind.publish(["channel": "chat", "meta": ["sender": sender], "formats": ["ws-message": ["content": content, "content-filters": ["var-subst"]]]])
                }
                #expect(try alice.readMessage() == .text("from bob to alice"))
                #expect(try bob.readMessage() == .text("from alice to bob"))
                let features = backend.requests.compactMap { $0.head.value("Grip-Feature") }
                #expect(!features.isEmpty && features.allSatisfy { $0.contains("filter:skip-self") && $0.contains("link:next") })
            }
        }

        /// WebSocket-over-HTTP `require-sub`: only the session subscribed to the named channel
        /// gets the item (Pushpin 1.36 gives it to none: its WebSocket filters see no channels).
        @Test func webSocketRequireSubNeedsTheNamedChannel() throws {
            let handler: WOHBackend.Handler = { request in
                guard let events = request.events, events.first == .open else { return .events([]) }
                let other = request.query("ch") ?? "events-x"
                return .events(
                    [
                        .open, .control(#"{"type":"subscribe","channel":"user-1","filters":["require-sub"]}"#),
                        .subscribe(other),
                    ], headers: [("Sec-WebSocket-Extensions", "grip")])
            }
            try withOverHTTPBackend(handler) { _, pushpind in
                let onA = try WebSocketClient.connect(port: pushpind.clientPort, "/?ch=events-a")
                let onB = try WebSocketClient.connect(port: pushpind.clientPort, "/?ch=events-b")
                try pushpind.waitForSubscriptions(atLeast: 4)
                try pushpind.publish(["channel": "user-1", "meta": ["require_sub": "events-a"], "formats": ["ws-message": ["content": "kick"]]])
                try pushpind.publishWebSocket(channel: "user-1", content: "for both")
                #expect(try onA.readMessage() == .text("kick"))
                #expect(try onA.readMessage() == .text("for both"))
                #expect(try onB.readMessage() == .text("for both"), "the item for events-a reached a session without it")
            }
        }

        /// GRIP libraries read `Grip-Feature`; a client's own value never reaches the backend.
        @Test func backendsSeeWhatPushpindDoesInGripFeature() throws {
            try withProxiedBackend { backend, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                #expect(try client.get("/echo", headers: [("Grip-Feature", "link:next, forged")]).status == 200)
                let features = backend.requests.last?.head.values("Grip-Feature")
                #expect(features == ["status, link:next, link:gone, filter:skip-self, filter:skip-users, filter:require-sub, filter:build-id, filter:var-subst"])
            }
        }
    }
}
