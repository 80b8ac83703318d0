import Foundation
import Testing

/// Several pushpind instances fed by one XPUB publisher through their SUB inputs: every
/// subscriber gets every item exactly once and in order, and an instance without
/// subscribers to the channel is sent nothing at all (subscription forwarding).
extension EndToEnd {
    @Suite(.enabled(if: ZeroMQPeer.available, "needs pyzmq (scripts/setup.sh installs it)"))
    struct ZeroMQInstancesTests {
        static func setup(sub port: UInt16) -> PushpindSetup {
            var setup = PushpindSetup()
            setup.routes = "* test\n"
            setup.handler = [("push_in_sub_specs", "tcp://127.0.0.1:\(port)")]
            return setup
        }

        @Test func oneXPUBPublisherFeedsThreeInstances() throws {
            let ports = [try freePort(), try freePort(), try freePort()]
            try withPushpind(Self.setup(sub: ports[0])) { first, _ in
                try withPushpind(Self.setup(sub: ports[1])) { second, _ in
                    try withPushpind(Self.setup(sub: ports[2])) { idle, _ in
                        let opened = "[stream opened]\n"
                        var subscribers: [StreamSubscriber] = []
                        for instance in [first, second] {
                            for _ in 0..<2 {
                                let subscriber = try StreamSubscriber(port: instance.clientPort, target: "/stream?channel=multi")
                                #expect(try subscriber.read(expecting: opened) == opened)
                                subscribers.append(subscriber)
                            }
                            try instance.waitForHeld(stream: 2)
                        }
                        let count = 200
                        let messages: [[[UInt8]]] = (0..<count).map { index in
                            [Array("multi".utf8), Array(#"J{"formats":{"http-stream":{"content":"item \#(index)\n"}}}"#.utf8)]
                        }
                        let endpoints = ports.map { "tcp://127.0.0.1:\($0)" }.joined(separator: ",")
                        try ZeroMQPeer.send(messages, type: "PUB", to: endpoints, waitForTopic: "multi", subscriptions: 2)
                        let expected = opened + (0..<count).map { "item \($0)\n" }.joined()
                        for subscriber in subscribers {
                            #expect(try subscriber.read(expecting: expected) == expected)
                        }
                        for instance in [first, second] {
                            _ = try instance.expectMetrics { checks in
                                let received = checks.metrics.value("pushpind_zmq_messages_received_total", ["socket": "sub"]) ?? -1
                                checks.expect(received == Double(count), "received \(received), expected \(count)")
                            }
                        }
                        let idleReceived = try idle.metrics().value("pushpind_zmq_messages_received_total", ["socket": "sub"])
                        #expect(idleReceived == 0, "an instance without subscribers was sent \(String(describing: idleReceived))")
                    }
                }
            }
        }
    }
}
