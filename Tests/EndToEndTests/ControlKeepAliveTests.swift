import Foundation
import Testing

/// The control port keeps HTTP/1.1 connections open: several publishes on one connection,
/// pipelined requests answered in order, and the cases that still close it (`Connection:
/// close`, HTTP/1.0 without keep-alive, unreadable input, the idle timeout).
extension EndToEnd {
    @Suite struct ControlKeepAliveTests {
        static let opened = "[stream opened]\n"

        static func publishRequest(_ channel: String, _ content: String, version: String = "HTTP/1.1", headers: [(String, String)] = []) throws -> HTTPRequest {
            HTTPRequest(
                "POST", "/publish/", version: version, headers: [("Content-Type", "application/json")] + headers,
                body: try PublishJSON.envelope([PublishJSON.stream(channel, content)]))
        }

        @Test func severalPublishesShareOneConnection() throws {
            try withPushpind(PublishTests.testRoute()) { pushpind in
                let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/stream?channel=ka")
                #expect(try subscriber.read(expecting: Self.opened) == Self.opened)
                try pushpind.waitForHeld(stream: 1)
                let client = try RawHTTPClient(port: pushpind.controlPort)
                defer { client.close() }
                for n in 1...3 {
                    let response = try client.request(try Self.publishRequest("ka", "m\(n)\n"))
                    #expect(response.status == 200, "publish \(n) answered \(response.status)")
                    #expect(response.header("Connection") == nil, "publish \(n): Connection \(response.header("Connection") ?? "")")
                }
                let expected = Self.opened + "m1\nm2\nm3\n"
                #expect(try subscriber.read(expecting: expected) == expected)
                #expect(client.peerState(within: .milliseconds(200)) == .open)
            }
        }

        /// Four requests in one write, a statistics query among them (answered only after the
        /// shards report): the answers come back in request order.
        @Test func pipelinedRequestsAreAnsweredInOrder() throws {
            try withPushpind(PublishTests.testRoute()) { pushpind in
                let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/stream?channel=pipe")
                #expect(try subscriber.read(expecting: Self.opened) == Self.opened)
                try pushpind.waitForHeld(stream: 1)
                let client = try RawHTTPClient(port: pushpind.controlPort)
                defer { client.close() }
                let requests = [
                    try Self.publishRequest("pipe", "one\n"), HTTPRequest.get("/metrics"),
                    try Self.publishRequest("pipe", "two\n", headers: [("Accept", "application/json")]), HTTPRequest.get("/"),
                ]
                try client.send(requests.flatMap(\.bytes))
                let published = try client.readResponse(requestMethod: "POST")
                #expect(published.status == 200 && published.bodyText == "Published\n", "first: \(published.status) \(published.bodyText.debugDescription)")
                let metrics = try client.readResponse()
                #expect(metrics.status == 200 && metrics.bodyText.contains("pushpind_messages_published_total"), "second: \(metrics.status)")
                let json = try client.readResponse(requestMethod: "POST")
                #expect(json.status == 200 && json.header("Content-Type") == "application/json", "third: \(json.status) \(json.bodyText.debugDescription)")
                let root = try client.readResponse()
                #expect(root.status == 200 && root.bodyText == "pushpind control API\n", "fourth: \(root.status) \(root.bodyText.debugDescription)")
                let expected = Self.opened + "one\ntwo\n"
                #expect(try subscriber.read(expecting: expected) == expected)
            }
        }

        /// A client that pipelines far more than the per-connection buffers hold, and reads
        /// only later, still gets every answer in order (the server stops reading meanwhile).
        @Test func deepPipelineIsAnsweredInOrder() throws {
            try withPushpind(PublishTests.testRoute()) { pushpind in
                let client = try RawHTTPClient(port: pushpind.controlPort)
                defer { client.close() }
                let count = 20_000  // some 700 KB of requests, 3 MB of answers
                var batch: [UInt8] = []
                for n in 0..<count { batch += HTTPRequest.get(n % 2 == 0 ? "/" : "/nowhere").bytes }
                let sending = UncheckedSendable((client, batch))
                Thread.detachNewThread { try? sending.value.0.send(sending.value.1, timeout: .seconds(30)) }
                Thread.sleep(forTimeInterval: 0.3)  // let the unread answers pile up first
                for n in 0..<count {
                    let response = try client.readResponse()
                    let expected = n % 2 == 0 ? 200 : 404
                    guard response.status == expected else {
                        Issue.record("answer \(n) is \(response.status), expected \(expected)")
                        return
                    }
                }
                #expect(client.peerState(within: .milliseconds(100)) == .open)
            }
        }

        /// `Connection: close` ends a kept-alive connection after its answer; a request
        /// pipelined behind it is not answered.
        @Test func connectionCloseEndsTheConnection() throws {
            try withPushpind(PublishTests.testRoute()) { pushpind in
                let client = try RawHTTPClient(port: pushpind.controlPort)
                defer { client.close() }
                #expect(try client.request(try Self.publishRequest("cc", "a\n")).status == 200)
                let closing = try Self.publishRequest("cc", "b\n", headers: [("Connection", "close")])
                try client.send(closing.bytes + HTTPRequest.get("/").bytes)
                let response = try client.readResponse(requestMethod: "POST")
                #expect(response.status == 200)
                #expect(response.header("Connection") == "close")
                #expect(client.peerState(within: .seconds(5)) == .closed)
            }
        }

        /// HTTP/1.0 closes unless it asks for keep-alive; when it does, the answer says so.
        @Test func http10KeepsAliveOnlyWhenAsked() throws {
            try withPushpind(PublishTests.testRoute()) { pushpind in
                let kept = try RawHTTPClient(port: pushpind.controlPort)
                defer { kept.close() }
                for n in 1...2 {
                    let response = try kept.request(try Self.publishRequest("ten", "\(n)\n", version: "HTTP/1.0", headers: [("Connection", "keep-alive")]))
                    #expect(response.status == 200, "keep-alive publish \(n) answered \(response.status)")
                    #expect(response.header("Connection")?.lowercased() == "keep-alive")
                }
                let plain = try RawHTTPClient(port: pushpind.controlPort)
                defer { plain.close() }
                let response = try plain.request(try Self.publishRequest("ten", "3\n", version: "HTTP/1.0"))
                #expect(response.status == 200)
                #expect(response.header("Connection") == "close")
                #expect(plain.peerState(within: .seconds(5)) == .closed)
            }
        }

        /// An invalid publish body is answered and the connection stays usable; an unreadable
        /// request head is answered 400, counted, and closes the connection.
        @Test func badInputIsAnsweredCountedAndOnlyUnreadableInputCloses() throws {
            try withPushpind(PublishTests.testRoute()) { pushpind in
                let client = try RawHTTPClient(port: pushpind.controlPort)
                defer { client.close() }
                let invalid = HTTPRequest("POST", "/publish/", headers: [("Content-Type", "application/json")], body: Array("{\"items\":".utf8))
                let rejected = try client.request(invalid)
                #expect(rejected.status == 400 && !rejected.bodyText.isEmpty)
                #expect(try client.request(try Self.publishRequest("bad", "x\n")).status == 200, "connection unusable after an invalid body")
                try client.send("GARBAGE\r\n\r\n")
                let garbage = try client.readResponse()
                #expect(garbage.status == 400, "garbage answered \(garbage.status)")
                #expect(garbage.header("Connection") == "close")
                #expect(client.peerState(within: .seconds(5)) == .closed)
                try pushpind.expectMetrics { checks in
                    let bad = checks.metrics.value("pushpind_control_bad_requests_total", [:]) ?? -1
                    checks.expect(bad == 1, "control_bad_requests_total \(bad), expected 1")
                }
            }
        }

        /// A kept-alive connection left idle past `push_in_http_idle_timeout` is closed.
        @Test func idleConnectionsAreClosed() throws {
            try withPushpind(PublishTests.testRoute(handler: [("push_in_http_idle_timeout", "1")])) { pushpind in
                let client = try RawHTTPClient(port: pushpind.controlPort)
                defer { client.close() }
                for n in 1...2 {
                    #expect(try client.request(try Self.publishRequest("idle", "\(n)\n")).status == 200, "publish \(n)")
                }
                #expect(client.peerState(within: .seconds(10)) == .closed)
            }
        }
    }
}

/// Hands the client to the sending thread; the test reads only after handing it over.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
