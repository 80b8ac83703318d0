import Foundation
import Testing
import Wire

/// The command socket (REP at `command_spec`) with pyzmq REQ clients: each method's
/// reply, and bad requests answered with `bad-request` (or, when too large, dropped)
/// without stopping the socket.
extension EndToEnd {
    @Suite(.enabled(if: ZeroMQPeer.available, "needs pyzmq (scripts/setup.sh installs it)"))
    struct ZeroMQCommandTests {
        static func request(_ method: String, id: String, args: [(String, TnetValue)] = []) -> [UInt8] {
            TnetstringEncoder.encode(.dict([("id", .string(id)), ("method", .string(method)), ("args", .dict(args))]))
        }

        static func streamItem(_ channel: String, _ content: String) -> TnetValue {
            .dict([("channel", .string(channel)), ("formats", .dict([("http-stream", .dict([("content", .string(content))]))]))])
        }

        @Test func methodsAndBadRequests() throws {
            let ports = (try freePort(), try freePort(), try freePort())
            let command = "tcp://127.0.0.1:\(ports.0)"
            var setup = PushpindSetup()
            setup.routes = "* test\n"
            setup.handler = [
                ("command_spec", command), ("push_in_spec", "tcp://127.0.0.1:\(ports.1)"),
                ("push_in_sub_specs", "tcp://127.0.0.1:\(ports.2)"), ("push_in_http_max_body_size", "65536"),
            ]
            try withPushpind(setup) { pushpind, _ in
                let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/stream?channel=zc")
                let opened = "[stream opened]\n"
                #expect(try subscriber.read(expecting: opened) == opened)
                try pushpind.waitForHeld(stream: 1)

                let requests: [[[UInt8]]] = [
                    [Self.request("get-zmq-uris", id: "1")],
                    [Self.request("publish", id: "2", args: [("items", .list([Self.streamItem("zc", "one\n"), Self.streamItem("zc", "two\n")]))])],
                    [Self.request("publish", id: "3", args: [("items", .list([Self.streamItem("zc", "never\n"), .dict([("channel", .string("zc"))])]))])],
                    [Self.request("publish", id: "4")],
                    [Self.request("recover", id: "5")],
                    [Self.request("no-such-method", id: "6")],
                    [Array("garbage".utf8)],
                    [Self.request("recover", id: "7"), Array("extra part".utf8)],
                    [ZeroMQPeer.filler(200_000)],
                    [Self.request("recover", id: "8")],
                ]
                let replies = try ZeroMQPeer.request(requests, at: command, fireAndForget: [8]).map { try TnetstringDecoder.decode($0) }
                try #require(replies.count == 9)
                #expect(replies[0] == .dict([
                    ("success", .bool(true)), ("id", .string("1")),
                    ("value", .dict([
                        ("command", .string(command)), ("publish-pull", .string("tcp://127.0.0.1:\(ports.1)")),
                        ("publish-sub", .string("tcp://127.0.0.1:\(ports.2)")),
                    ])),
                ]))
                #expect(replies[1] == .dict([("success", .bool(true)), ("id", .string("2")), ("value", .null)]))
                #expect(replies[2]["success"] == .bool(false))
                #expect(replies[2]["condition"] == .string("bad-request"))
                #expect(replies[2]["value"] == .string("Invalid format: no formats specified"))
                #expect(replies[3]["condition"] == .string("bad-request"))
                #expect(replies[4] == .dict([("success", .bool(true)), ("id", .string("5")), ("value", .null)]))
                #expect(replies[5] == .dict([("success", .bool(false)), ("condition", .string("method-not-found")), ("id", .string("6"))]))
                #expect(replies[6] == .dict([("success", .bool(false)), ("condition", .string("bad-request"))]))
                #expect(replies[7] == .dict([("success", .bool(false)), ("condition", .string("bad-request"))]))
                #expect(replies[8] == .dict([("success", .bool(true)), ("id", .string("8")), ("value", .null)]))

                // Only the valid publish reached the subscriber, whole and in order.
                let expected = opened + "one\ntwo\n"
                #expect(try subscriber.read(expecting: expected) == expected)
                _ = try pushpind.expectMetrics { checks in
                    let rejected = checks.metrics.value("pushpind_zmq_messages_rejected_total", ["socket": "command"]) ?? -1
                    checks.expect(rejected == 5, "rejected \(rejected), expected 5")
                    checks.expectValue("pushpind_recover_commands_total", equals: 2)
                }
            }
        }
    }
}
