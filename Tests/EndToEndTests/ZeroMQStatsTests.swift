import Foundation
import Testing
import Wire

/// The stats socket (PUB at `stats_spec`) read by a pyzmq SUB, as Pushpin's tooling reads
/// it: a stream subscriber's connect, subscribe, a publish, its unsubscribe and disconnect,
/// in both `stats_format`s, with Pushpin 1.36's message types and fields.
extension EndToEnd {
    @Suite(.enabled(if: ZeroMQPeer.available, "needs pyzmq (scripts/setup.sh installs it)"))
    struct ZeroMQStatsTests {
        /// A decoded stats message: its type and fields (tnetstring or JSON alike).
        struct Message {
            var type: String
            var fields: [String: Any]
            func string(_ key: String) -> String? { fields[key] as? String }
            func int(_ key: String) -> Int? { fields[key] as? Int }
        }

        static func decode(_ type: String, _ body: [UInt8]) -> Message? {
            guard let format = body.first else { return nil }
            let payload = Array(body.dropFirst())
            switch format {
            case UInt8(ascii: "J"):
                guard let object = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any] else { return nil }
                // JSON booleans arrive as NSNumber; keep them apart from counts.
                var fields = object
                if let flag = object["unavailable"] as? Bool { fields["unavailable"] = flag }
                return Message(type: type, fields: fields)
            case UInt8(ascii: "T"):
                guard case .dict(let members)? = try? TnetstringDecoder.decode(payload) else { return nil }
                var fields: [String: Any] = [:]
                for member in members {
                    let key = String(decoding: member.key, as: UTF8.self)
                    switch member.value {
                    case .bytes(let bytes): fields[key] = String(decoding: bytes, as: UTF8.self)
                    case .int(let number): fields[key] = number
                    case .bool(let flag): fields[key] = flag
                    default: break
                    }
                }
                return Message(type: type, fields: fields)
            default: return nil
            }
        }

        static func messages(_ reader: PythonProcess) -> [Message] {
            ZeroMQPeer.statsMessages(reader).compactMap { decode($0.type, $0.body) }
        }

        /// Waits until a message matching `match` was read, and returns it.
        static func await(_ reader: PythonProcess, _ what: String, _ match: (Message) -> Bool) throws -> Message {
            guard let found = eventually(timeout: .seconds(15), { messages(reader).first(where: match) }) else {
                throw HarnessError.setup("no stats message \(what); read:\n\(reader.output.suffix(3000))")
            }
            return found
        }

        @Test(arguments: ["json", "tnetstring"])
        func aStreamSubscribersLifeInStats(format: String) throws {
            let statsEndpoint = "tcp://127.0.0.1:\(try freePort())"
            var setup = PushpindSetup()
            setup.routes = "*,path_beg=/named,id=named test\n* test\n"
            setup.proxy = [("stats_report_interval", "1")]
            setup.handler = [("stats_spec", statsEndpoint), ("stats_format", format)]
            try withPushpind(setup) { pushpind, _ in
                let reader = try ZeroMQPeer.readStats(at: statsEndpoint)
                defer { reader.stop() }
                // A report arrives every second: once one is read, the SUB is connected.
                let report = try Self.await(reader, "report") { $0.type == "report" }
                #expect(report.string("from")?.hasPrefix("pushpind_") == true)
                #expect(report.int("duration") != nil && report.int("connections") != nil && report.int("received") != nil)

                let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/stream?channel=st")
                #expect(try subscriber.read(expecting: "[stream opened]\n") == "[stream opened]\n")
                let connected = try Self.await(reader, "conn") { $0.type == "conn" && $0.fields["unavailable"] == nil }
                #expect(connected.string("type") == "http")
                #expect(connected.string("peer-address") == "127.0.0.1")
                #expect(connected.int("ttl") == 120)
                #expect(connected.fields["route"] == nil)  // its route has no explicit id
                let id = try #require(connected.string("id"))
                let subscribed = try Self.await(reader, "sub") { $0.type == "sub" && $0.string("channel") == "st" }
                #expect(subscribed.string("mode") == "stream")
                #expect(subscribed.int("subscribers") == 1)
                #expect(subscribed.int("ttl") == 60)
                let activity = try Self.await(reader, "activity") { $0.type == "activity" && $0.int("count") == 1 }
                #expect(activity.fields["route"] == nil)
                _ = try Self.await(reader, "counts") { $0.type == "counts" && $0.int("requests-received") == 1 }

                try pushpind.publish(["channel": "st", "id": "m1", "formats": ["http-stream": ["content": "one\n"]]])
                let message = try Self.await(reader, "message") { $0.type == "message" }
                #expect(message.string("channel") == "st")
                #expect(message.string("item-id") == "m1")
                #expect(message.int("count") == 1)
                #expect(message.string("transport") == "http-stream")
                _ = try Self.await(reader, "report of the publish") { $0.type == "report" && $0.int("received") == 1 && $0.int("sent") == 1 }

                subscriber.close()
                let gone = try Self.await(reader, "conn unavailable") { $0.type == "conn" && $0.fields["unavailable"] as? Bool == true }
                #expect(gone.string("id") == id)
                let unsubscribed = try Self.await(reader, "sub unavailable") {
                    $0.type == "sub" && $0.fields["unavailable"] as? Bool == true
                }
                #expect(unsubscribed.string("mode") == "stream")
                #expect(unsubscribed.string("channel") == "st")

                // A route with an explicit id is named in `conn` and `activity`, as Pushpin does.
                let named = try StreamSubscriber(port: pushpind.clientPort, target: "/named/stream?channel=nm")
                defer { named.close() }
                #expect(try named.read(expecting: "[stream opened]\n") == "[stream opened]\n")
                let namedConnection = try Self.await(reader, "conn on the named route") {
                    $0.type == "conn" && $0.fields["unavailable"] == nil && $0.string("id") != id
                }
                #expect(namedConnection.string("route") == "named")
                _ = try Self.await(reader, "activity on the named route") { $0.type == "activity" && $0.string("route") == "named" }
                _ = try pushpind.expectMetrics { checks in
                    let sent = checks.metrics.value("pushpind_stats_messages_total", ["outcome": "sent"]) ?? 0
                    checks.expect(sent >= 8, "stats messages sent \(sent)")
                }
            }
        }
    }
}
