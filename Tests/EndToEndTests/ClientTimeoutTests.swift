import Foundation
import Testing

/// Clients that never finish their request: a head trickled a byte at a time (slowloris),
/// a keep-alive connection that never sends its next request, a body that stalls. Each is
/// cut off after its `[runner] client_*_timeout` and counted; connections that owe no
/// request (held streams, WebSocket sessions, a response still coming) are left alone.
extension EndToEnd {
    @Suite struct ClientTimeoutTests {
        static func timeouts(header: Int = 30, idle: Int = 60, body: Int = 60) -> [(String, String)] {
            [("client_header_timeout", "\(header)"), ("client_idle_timeout", "\(idle)"), ("client_body_timeout", "\(body)")]
        }

        /// The slowloris pattern: a header byte every 0.5 s never completes the head; with a
        /// 2 s header timeout the client gets a complete 408 and the connection closes.
        @Test func headTrickledByteByByteGets408AfterTheHeaderTimeout() throws {
            try withProxiedBackend({ $0.runner = Self.timeouts(header: 2) }) { backend, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                try client.send("GET /bytes?n=10 HTTP/1.1\r\nHost: e2e.test\r\n")
                let trickled = Array("X-Slow: aaaaaaaaaaaa".utf8)
                let sent = try client.trickle(trickled, every: .milliseconds(500))
                #expect(sent < trickled.count, "still no answer after trickling \(trickled.count) bytes over 10 s")
                let response = try client.readResponse(timeout: .seconds(5))
                #expect(response.status == 408)
                #expect(response.announcesClose, "408 without Connection: close")
                #expect(response.header("Content-Length") == String(response.body.count))
                #expect(client.peerState(within: .seconds(4)).isGone, "still open after 408")
                #expect(backend.requests.isEmpty, "a request with an unfinished head reached the backend")
                try pushpind.expectMetrics {
                    $0.expectTotal("pushpind_client_timeouts_total", ["kind": "header"], equals: 1)
                    $0.expectTotal("pushpind_requests_total", ["class": "4xx"], atLeast: 1)
                }
            }
        }

        /// A connection that never sends a byte is closed after the header timeout too, with
        /// no answer: there is no request to answer.
        @Test func silentConnectionIsClosedAfterTheHeaderTimeout() throws {
            try withProxiedBackend({ $0.runner = Self.timeouts(header: 1) }) { _, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                #expect(client.peerState(within: .seconds(4)) == .closed)
                try pushpind.expectMetrics {
                    $0.expectTotal("pushpind_client_timeouts_total", ["kind": "header"], equals: 1)
                }
            }
        }

        /// A keep-alive connection that makes a request now and then stays open; one that
        /// then idles past `client_idle_timeout` is closed, silently and counted.
        @Test func idleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws {
            try withProxiedBackend({ $0.runner = Self.timeouts(idle: 1) }) { _, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                for round in 0..<4 {
                    let response = try client.get("/bytes?n=10")
                    #expect(response.status == 200, "request \(round) on the keep-alive connection")
                    pause(.milliseconds(400))  // busy but never idle for the whole second
                }
                #expect(client.peerState(within: .seconds(4)) == .closed, "idle connection not closed")
                try pushpind.expectMetrics {
                    $0.expectTotal("pushpind_client_timeouts_total", ["kind": "idle"], equals: 1)
                    $0.expectTotal("pushpind_client_timeouts_total", ["kind": "header"], equals: 0)
                }
            }
        }

        /// A body that stops halfway gets 408 and a close; the half-sent request never
        /// completes at the backend, and its backend connection is given up.
        @Test func stalledBodyGets408AfterTheBodyTimeout() throws {
            try withProxiedBackend({ $0.runner = Self.timeouts(body: 1) }) { backend, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                let head = HTTPRequest("POST", "/upload", headers: [("Content-Length", "100")])
                try client.send(head.headBytes + Array(repeating: UInt8(ascii: "x"), count: 10))
                let response = try client.readResponse(timeout: .seconds(5))
                #expect(response.status == 408)
                #expect(response.announcesClose, "408 without Connection: close")
                #expect(client.peerState(within: .seconds(4)).isGone, "still open after 408")
                #expect(backend.requests.isEmpty, "the backend saw a complete request")
                let released = eventually(timeout: .seconds(3)) { backend.openConnectionCount == 0 ? true : nil }
                #expect(released == true, "the backend connection of the cut request stayed open")
                try pushpind.expectMetrics {
                    $0.expectTotal("pushpind_client_timeouts_total", ["kind": "body"], equals: 1)
                }
            }
        }

        /// A slow body is not a stalled one: a byte every 0.4 s under a 1 s body timeout
        /// arrives whole.
        @Test func slowButSteadyBodyIsNotCut() throws {
            try withProxiedBackend({ $0.runner = Self.timeouts(body: 1) }) { backend, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                try client.send(HTTPRequest("POST", "/upload", headers: [("Content-Length", "6")]).headBytes)
                let sent = try client.trickle(Array("abcdef".utf8), every: .milliseconds(400))
                #expect(sent == 6, "pushpind answered before the body was complete")
                let response = try client.readResponse(timeout: .seconds(5))
                #expect(response.status == 200)
                #expect(backend.requests.last?.bodyLength == 6)
            }
        }

        /// With every client limit at 1 s: a held GRIP stream, a WebSocket session and a
        /// request whose backend takes 2.5 s all outlive them, and none is counted.
        @Test func heldStreamWebSocketAndPendingResponseOutliveTheLimits() throws {
            try withBackend { backend in
                var setup = PushpindSetup.proxying(to: backend)
                setup.routes = "*,path_beg=/t/ test\n* 127.0.0.1:\(backend.port)\n"
                setup.runner = Self.timeouts(header: 1, idle: 1, body: 1)
                try withPushpind(setup) { pushpind in
                    let stream = try StreamSubscriber(port: pushpind.clientPort, target: "/grip/stream?ch=held")
                    let start = BackendStub.gripStreamBody
                    #expect(try stream.read(expecting: start) == start)
                    let webSocket = try WebSocketClient.connect(port: pushpind.clientPort, "/t/ws?channel=held")
                    let slow = try RawHTTPClient(port: pushpind.clientPort)
                    try slow.send(HTTPRequest.get("/slow?ms=2500&n=10"))
                    try pushpind.waitForHeld(stream: 1)
                    try pushpind.waitForSubscriptions(atLeast: 2)

                    let response = try slow.readResponse(timeout: .seconds(10))
                    #expect(response.status == 200, "a response still coming was cut by a client limit")
                    try pushpind.publish(PublishJSON.stream("held", "still here\n"))
                    try pushpind.publishWebSocket(channel: "held", content: "still here")
                    #expect(try stream.read(expecting: start + "still here\n") == start + "still here\n")
                    #expect(try webSocket.readMessage() == .text("still here"))
                    try pushpind.expectMetrics {
                        for kind in ["header", "idle", "body"] {
                            $0.expectTotal("pushpind_client_timeouts_total", ["kind": kind], equals: 0)
                        }
                    }
                }
            }
        }
    }
}

extension RawHTTPClient {
    /// Sends `bytes` one at a time, `interval` apart, stopping early once pushpind has
    /// something to say (the socket turns readable: an answer or a close). Returns how many
    /// bytes went out.
    func trickle(_ bytes: [UInt8], every interval: Duration) throws -> Int {
        for (index, byte) in bytes.enumerated() {
            var entry = pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0)
            if poll(&entry, 1, Deadline(in: interval).remainingMilliseconds) > 0 { return index }
            try send([byte])
        }
        return bytes.count
    }
}
