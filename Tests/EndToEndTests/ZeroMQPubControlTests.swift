import Foundation
import Testing

/// Fanout's publisher libraries as real peers over ZeroMQ: `pubcontrol`'s ZmqPubControl
/// and `gripcontrol`'s GripPubControl find the sockets through `get-zmq-uris` on the
/// command socket, then publish over PUSH, or, with `require_subscribers`, over an XPUB
/// that only sends channels some instance subscribed to (here to three instances at once).
extension EndToEnd {
    @Suite(.enabled(if: ZeroMQPeer.available && PythonProcess.hasModule("tnetstring"), "needs pyzmq and tnetstring3 (scripts/setup.sh)"))
    struct ZeroMQPubControlTests {
        static let opened = "[stream opened]\n"

        /// Publishes `probe` items until the file `go` exists (subscribers' SUB subscriptions
        /// take a moment to reach an XPUB), then `count` numbered items, and stays connected
        /// (the library's PUSH socket drops what is unsent on close) until stopped.
        static let publisherScript = #"""
        import os, sys, time
        from pubcontrol import PubControl, Item
        from gripcontrol import GripPubControl, HttpStreamFormat
        library, commands, channel, count, require, go = sys.argv[1], sys.argv[2].split(","), sys.argv[3], int(sys.argv[4]), sys.argv[5] == "1", sys.argv[6]
        key = "control_zmq_uri" if library == "gripcontrol" else "zmq_uri"
        config = [{key: uri, "require_subscribers": require} for uri in commands]
        def publish(content):
            if library == "gripcontrol":
                pub.publish_http_stream(channel, content, blocking=True)
            else:
                pub.publish(channel, Item(HttpStreamFormat(content)), blocking=True)
        pub = GripPubControl(config) if library == "gripcontrol" else PubControl(config)
        deadline = time.time() + 20
        while not os.path.exists(go):
            if time.time() > deadline:
                print("NO GO", flush=True)
                sys.exit(1)
            publish("probe\n")
            time.sleep(0.05)
        for index in range(count):
            publish("item %d\n" % index)
        print("PUBLISHED", flush=True)
        time.sleep(30)
        """#

        static func setup(command: UInt16, pull: UInt16, sub: UInt16) -> PushpindSetup {
            var setup = PushpindSetup()
            setup.routes = "* test\n"
            setup.handler = [
                ("command_spec", "tcp://127.0.0.1:\(command)"), ("push_in_spec", "tcp://127.0.0.1:\(pull)"),
                ("push_in_sub_specs", "tcp://127.0.0.1:\(sub)"),
            ]
            return setup
        }

        /// Starts the publisher, waits until every subscriber saw a probe, lets it publish
        /// `count` items, and checks each subscriber got them all once, in order.
        static func publishAndCheck(
            library: String, commands: [UInt16], requireSubscribers: Bool, subscribers: [StreamSubscriber], count: Int
        ) throws {
            let sandbox = try Sandbox()
            defer { sandbox.remove() }
            let go = sandbox.path("go")
            let publisher = try PythonProcess(
                script: publisherScript,
                arguments: [
                    library, commands.map { "tcp://127.0.0.1:\($0)" }.joined(separator: ","), "pc", String(count),
                    requireSubscribers ? "1" : "0", go,
                ])
            defer { publisher.stop() }
            for subscriber in subscribers {
                let probed = try subscriber.read(atLeast: (opened + "probe\n").utf8.count, timeout: .seconds(20))
                try #require(String(decoding: probed, as: UTF8.self).hasPrefix(opened + "probe\n"), "\(publisher.output)")
            }
            try sandbox.write("", to: "go")
            let last = "item \(count - 1)\n"
            let items = (0..<count).map { "item \($0)\n" }.joined()
            for subscriber in subscribers {
                let deadline = Deadline(in: .seconds(20))
                while !subscriber.bodyText.hasSuffix(last) && !deadline.hasPassed {
                    guard try subscriber.readChunk(deadline: deadline) else { break }
                }
                let received = subscriber.bodyText.dropFirst(opened.count).replacingOccurrences(of: "probe\n", with: "")
                #expect(received == items, "publisher: \(publisher.output)")
            }
        }

        @Test(arguments: ["pubcontrol", "gripcontrol"])
        func aLibraryPublishesOverPUSH(library: String) throws {
            let ports = (try freePort(), try freePort(), try freePort())
            try withPushpind(Self.setup(command: ports.0, pull: ports.1, sub: ports.2)) { pushpind, _ in
                let subscribers = try (0..<2).map { _ in try StreamSubscriber(port: pushpind.clientPort, target: "/stream?channel=pc") }
                try pushpind.waitForHeld(stream: 2)
                try Self.publishAndCheck(library: library, commands: [ports.0], requireSubscribers: false, subscribers: subscribers, count: 100)
                _ = try pushpind.expectMetrics { checks in
                    let pull = checks.metrics.value("pushpind_zmq_messages_received_total", ["socket": "pull"]) ?? -1
                    checks.expect(pull >= 100, "pull received \(pull)")
                    checks.expectValue("pushpind_zmq_messages_received_total", ["socket": "sub"], equals: 0)
                    checks.expectValue("pushpind_zmq_messages_rejected_total", ["socket": "pull"], equals: 0)
                }
            }
        }

        @Test func requireSubscribersReachesOnlyInstancesWithSubscribers() throws {
            let ports = try (0..<3).map { _ in (try freePort(), try freePort(), try freePort()) }
            try withPushpind(Self.setup(command: ports[0].0, pull: ports[0].1, sub: ports[0].2)) { first, _ in
                try withPushpind(Self.setup(command: ports[1].0, pull: ports[1].1, sub: ports[1].2)) { second, _ in
                    try withPushpind(Self.setup(command: ports[2].0, pull: ports[2].1, sub: ports[2].2)) { idle, _ in
                        var subscribers: [StreamSubscriber] = []
                        for instance in [first, second] {
                            for _ in 0..<2 {
                                // Three instances start at once beside the rest of the suite: allow a slow first answer.
                                subscribers.append(
                                    try StreamSubscriber(port: instance.clientPort, target: "/stream?channel=pc", timeout: .seconds(30)))
                            }
                            try instance.waitForHeld(stream: 2)
                        }
                        try Self.publishAndCheck(
                            library: "pubcontrol", commands: ports.map(\.0), requireSubscribers: true, subscribers: subscribers,
                            count: 200)
                        for instance in [first, second] {
                            _ = try instance.expectMetrics { checks in
                                checks.expectValue("pushpind_zmq_messages_rejected_total", ["socket": "sub"], equals: 0)
                                checks.expectValue("pushpind_zmq_messages_received_total", ["socket": "pull"], equals: 0)
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
