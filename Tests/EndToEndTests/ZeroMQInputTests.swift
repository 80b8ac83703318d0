import Foundation
import Testing

/// The ZeroMQ publish inputs with pyzmq as the publisher: the PULL socket in every item
/// encoding, and bad messages (garbage, wrong part counts, oversized) dropped and counted
/// without disturbing the good ones.
extension EndToEnd {
    @Suite(.enabled(if: ZeroMQPeer.available, "needs pyzmq (scripts/setup.sh installs it)"))
    struct ZeroMQInputTests {
        static let opened = "[stream opened]\n"

        static func tnetItem(_ channel: String, _ content: String) -> [UInt8] {
            let content = "7:content,\(content.utf8.count):\(content),"
            let stream = "11:http-stream,\(content.utf8.count):\(content)}"
            let formats = "7:formats,\(stream.utf8.count):\(stream)}"
            let body = "7:channel,\(channel.utf8.count):\(channel),\(formats)"
            return Array("\(body.utf8.count):\(body)}".utf8)
        }

        static func jsonItem(_ channel: String, _ content: String) -> [UInt8] {
            Array(#"J{"channel":"\#(channel)","formats":{"http-stream":{"content":"\#(content)\n"}}}"#.utf8)
        }

        @Test func pullDeliversEveryEncodingAndDropsBadMessages() throws {
            let port = try freePort()
            var setup = PushpindSetup()
            setup.routes = "* test\n"
            setup.handler = [("push_in_spec", "tcp://127.0.0.1:\(port)"), ("push_in_http_max_body_size", "65536")]
            try withPushpind(setup) { pushpind, _ in
                let endpoint = "tcp://127.0.0.1:\(port)"
                let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/stream?channel=zq")
                #expect(try subscriber.read(expecting: Self.opened) == Self.opened)
                try pushpind.waitForHeld(stream: 1)

                let bad: [[[UInt8]]] = [
                    [Array("garbage".utf8)],
                    [[0xFF, 0x00, 0x13]],
                    [[]],
                    [Self.jsonItem("zq", "two parts"), Array("extra".utf8)],
                    [Array(#"J{"channel":"zq"}"#.utf8)],
                    [Array(#"J{"channel":"zq","formats":{"http-stream":{"content":"cut"#.utf8)],
                    [Array("T".utf8) + Array("5:abc,".utf8)],
                ]
                let good: [[[UInt8]]] = [
                    [Self.jsonItem("zq", "json")],
                    [Array("T".utf8) + Self.tnetItem("zq", "tnet\n")],
                    [Self.tnetItem("zq", "bare\n")],
                ]
                try ZeroMQPeer.send([bad[0], good[0], bad[1], bad[2], good[1], bad[3], bad[4], bad[5], bad[6], good[2]], to: endpoint)
                let expected = Self.opened + "json\ntnet\nbare\n"
                #expect(try subscriber.read(expecting: expected) == expected)

                // Larger than push_in_http_max_body_size: libzmq drops the sender, and
                // the input keeps working for the next one.
                try ZeroMQPeer.send([[ZeroMQPeer.filler(200_000)]], to: endpoint)
                try ZeroMQPeer.send([[Self.jsonItem("zq", "after")]], to: endpoint)
                let after = expected + "after\n"
                #expect(try subscriber.read(expecting: after) == after)

                _ = try pushpind.expectMetrics { checks in
                    let received = checks.metrics.value("pushpind_zmq_messages_received_total", ["socket": "pull"]) ?? -1
                    let rejected = checks.metrics.value("pushpind_zmq_messages_rejected_total", ["socket": "pull"]) ?? -1
                    checks.expect(received == 11, "received \(received), expected 11")
                    checks.expect(rejected == 7, "rejected \(rejected), expected 7")
                    let published = checks.metrics.value("pushpind_messages_published_total", [:]) ?? -1
                    checks.expect(published == 4, "published \(published), expected 4")
                }
                let log = pushpind.log
                #expect(log.contains("zmq pull: dropping message: message has 2 parts, expected 1"), "\(log.suffix(2000))")
                #expect(log.contains("zmq pull: dropping message: Invalid format: no formats specified"))
            }
        }
    }
}

extension EndToEnd.ZeroMQInputTests {
    static func subSetup(port: UInt16, linger: Int = 60) -> PushpindSetup {
        var setup = PushpindSetup()
        setup.routes = "* test\n"
        setup.handler = [("push_in_sub_specs", "tcp://127.0.0.1:\(port)"), ("subscription_linger", String(linger))]
        return setup
    }

    /// Channel frame then item, in every encoding; wrong part counts, a bad channel frame
    /// and bad items are dropped and counted. The publisher sends only after pushpind's
    /// SUB socket subscribed to the channel it has a subscriber for.
    @Test func subDeliversTopicItemsAndDropsBadMessages() throws {
        let port = try freePort()
        try withPushpind(Self.subSetup(port: port)) { pushpind, _ in
            let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/stream?channel=zs")
            #expect(try subscriber.read(expecting: Self.opened) == Self.opened)
            try pushpind.waitForHeld(stream: 1)
            let topic = Array("zs".utf8)
            let messages: [[[UInt8]]] = [
                [topic],  // no item
                [topic, Array(#"J{"formats":{"http-stream":{"content":"json\n"}}}"#.utf8)],
                [topic, Self.jsonItem("x", "a"), Array("third".utf8)],
                // Matches the subscription as a prefix, but is not UTF-8.
                [topic + [0xFF], Self.jsonItem("zs", "bad channel frame")],
                [topic, Array("garbage".utf8)],
                // The topic frame wins over the item's channel.
                [topic, Array("T".utf8) + Self.tnetItem("elsewhere", "tnet\n")],
                // ZeroMQ matches prefixes; pushpind matches channels exactly, so nobody gets this.
                [Array("zsx".utf8), Self.tnetItem("zsx", "prefix only\n")],
                [topic, Self.tnetItem("zs", "bare\n")],
            ]
            try ZeroMQPeer.send(messages, type: "PUB", to: "tcp://127.0.0.1:\(port)", waitForTopic: "zs")
            let expected = Self.opened + "json\ntnet\nbare\n"
            #expect(try subscriber.read(expecting: expected) == expected)
            _ = try pushpind.expectMetrics { checks in
                let received = checks.metrics.value("pushpind_zmq_messages_received_total", ["socket": "sub"]) ?? -1
                let rejected = checks.metrics.value("pushpind_zmq_messages_rejected_total", ["socket": "sub"]) ?? -1
                checks.expect(received == 8, "received \(received), expected 8")
                checks.expect(rejected == 4, "rejected \(rejected), expected 4")
            }
            #expect(pushpind.log.contains("zmq sub: dropping message: message has 3 parts, expected 2 (channel, item)"))
        }
    }

    /// An XPUB publisher sees `\x01channel` when the first subscriber arrives and
    /// `\x00channel` once the last has left and `subscription_linger` passed.
    @Test func subscriptionsAreForwardedToAnXPUBPublisher() throws {
        let port = try freePort()
        try withPushpind(Self.subSetup(port: port, linger: 1)) { pushpind, _ in
            let watcher = try ZeroMQPeer.watchSubscription("zf", at: "tcp://127.0.0.1:\(port)")
            defer { watcher.stop() }
            let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/stream?channel=zf")
            #expect(try subscriber.read(expecting: Self.opened) == Self.opened)
            let subscribed = eventually(timeout: .seconds(10), interval: .milliseconds(20)) {
                watcher.output.contains("SUBSCRIBED") ? true : nil
            }
            #expect(subscribed == true, "no subscription seen: \(watcher.output)")
            #expect(!watcher.output.contains("UNSUBSCRIBED"))
            subscriber.close()
            #expect(watcher.waitForExit(timeout: .seconds(15)) == .exited(0), "\(watcher.output)")
            #expect(watcher.output.contains("UNSUBSCRIBED"))
        }
    }
}
