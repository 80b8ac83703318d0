import Foundation
import Testing
import Wire

/// The command socket's `conncheck` and `refresh` against a WebSocket-over-HTTP session,
/// named by the Connection-Id its backend sees: which ids are connected, and a refresh by
/// id or by channel makes the session send its backend a request.
extension EndToEnd {
    @Suite(.enabled(if: ZeroMQPeer.available, "needs pyzmq (scripts/setup.sh installs it)"))
    struct ZeroMQConnectionCommandTests {
        static func reply(_ method: String, _ args: [(String, TnetValue)], at endpoint: String) throws -> TnetValue {
            let request = TnetstringEncoder.encode(.dict([("id", .string("r")), ("method", .string(method)), ("args", .dict(args))]))
            let replies = try ZeroMQPeer.request([[request]], at: endpoint)
            return try TnetstringDecoder.decode(try #require(replies.first))
        }

        @Test func conncheckAndRefreshFindTheSessionByItsConnectionID() throws {
            let command = "tcp://127.0.0.1:\(try freePort())"
            let handler: WOHBackend.Handler = { request in
                if request.events?.first == .open {
                    return .events([.open, .control(#"{"type":"subscribe","channel":"rc"}"#)], headers: [("Sec-WebSocket-Extensions", "grip")])
                }
                return .events([])
            }
            try withOverHTTPBackend(handler, configure: { $0.handler = [("command_spec", command)] }) { backend, pushpind in
                let client = try WebSocketClient.connect(port: pushpind.clientPort, "/")
                let open = try #require(backend.waitFor { !$0.isEmpty }?.first)
                let id = open.connectionID
                _ = try pushpind.expectMetrics { checks in checks.expectValue("pushpind_subscriptions", ["shard": "total"], equals: 1) }

                let check = try Self.reply("conncheck", [("ids", .list([.string("nope"), .string(id), .string("pushpind:0-99999-1")]))], at: command)
                #expect(check == .dict([("success", .bool(true)), ("id", .string("r")), ("value", .list([.string(id)]))]))
                #expect(try Self.reply("conncheck", [], at: command)["condition"] == .string("bad-request"))
                #expect(try Self.reply("refresh", [], at: command)["condition"] == .string("bad-request"))
                #expect(try Self.reply("refresh", [("cid", .string("nope"))], at: command)["condition"] == .string("item-not-found"))

                // Each refresh is one more (empty) request from the session to its backend.
                let before = backend.requests.count
                #expect(try Self.reply("refresh", [("cid", .string(id))], at: command)["success"] == .bool(true))
                let afterID = try #require(backend.waitFor { $0.count > before })
                #expect(afterID.last?.connectionID == id)
                #expect(afterID.last?.body.isEmpty == true)
                #expect(try Self.reply("refresh", [("channel", .string("rc"))], at: command)["success"] == .bool(true))
                #expect(backend.waitFor { $0.count > afterID.count } != nil, "no request after refreshing the channel")
                #expect(try Self.reply("refresh", [("channel", .string("nobody"))], at: command)["success"] == .bool(true))

                client.close()
                let gone = eventually(timeout: .seconds(10)) { () -> Bool? in
                    let value = try? Self.reply("conncheck", [("ids", .list([.string(id)]))], at: command)["value"]
                    return value == .list([]) ? true : nil
                }
                #expect(gone == true, "the closed session is still reported")
            }
        }
    }
}
