import Foundation
import Testing

/// Checks the harness itself, without pushpind: the raw client against the backend stub,
/// the checksum and the metrics parser. When these fail, the end-to-end failures that
/// follow are the harness's, not pushpind's.
extension EndToEnd {
    @Suite struct HarnessTests {
        @Test func checksumDoesNotDependOnHowTheBodyIsSplit() {
            let body = BodyPattern.bytes(count: 100_003)
            let whole = StreamChecksum.of(body).value
            for splits in [[1], [7, 13], [8, 8, 8], [65_521], [3, 99_999]] {
                var checksum = StreamChecksum()
                var offset = 0
                var turn = 0
                while offset < body.count {
                    let size = min(splits[turn % splits.count], body.count - offset)
                    checksum.update(Array(body[offset..<(offset + size)]))
                    offset += size
                    turn += 1
                }
                #expect(checksum.value == whole, "split \(splits)")
            }
            #expect(BodyPattern.checksum(count: 100_003) == whole)
            var changed = body
            changed[50_000] ^= 1
            #expect(StreamChecksum.of(changed).value != whole)
            #expect(StreamChecksum.of(Array(body.dropLast())).value != whole)
        }

        @Test func stubEchoesWhatItReceived() throws {
            try withBackend(name: "alpha") { backend in
                let client = try RawHTTPClient(port: backend.port)
                let body = BodyPattern.bytes(count: 1234)
                let request = HTTPRequest("PUT", "/echo?x=1&y=two", headers: [("X-One", "1"), ("X-Two", "a"), ("X-Two", "b")], body: body)
                let response = try client.request(request)
                #expect(response.status == 200)
                #expect(response.header("X-Stub-Name") == "alpha")
                let echo = try EchoReport(response)
                #expect(echo.stubName == "alpha")
                #expect(echo.method == "PUT")
                #expect(echo.target == "/echo?x=1&y=two")
                #expect(echo.version == "HTTP/1.1")
                #expect(echo.bodyLength == 1234)
                #expect(echo.bodyChecksum == StreamChecksum.of(body).hex)
                #expect(echo.values("x-two") == ["a", "b"])
                #expect(echo.values("Host") == ["e2e.test"])
                let recorded = try #require(backend.requests.last)
                #expect(recorded.head.values("X-One") == ["1"])
                #expect(recorded.bodyLength == 1234)
            }
        }

        @Test func stubServesEveryFraming() throws {
            try withBackend { backend in
                let client = try RawHTTPClient(port: backend.port)
                for n in [0, 1, 100_000] {
                    let bytes = try client.get("/bytes?n=\(n)")
                    #expect(bytes.framing == .contentLength(n))
                    #expect(bytes.body == BodyPattern.bytes(count: n))
                }
                let chunked = try client.get("/chunked?n=100000")
                #expect(chunked.framing == .chunked)
                #expect(chunked.chunkCount > 5)
                #expect(chunked.body == BodyPattern.bytes(count: 100_000))
                let status = try client.get("/status?code=201")
                #expect(status.status == 201)
                #expect(status.reason == "Stub Reason")
                #expect(status.header("Keep-Alive") != nil)
                let missing = try client.get("/nothing-here")
                #expect(missing.status == 404)
                let closing = try client.get("/close-delimited?n=70000")
                #expect(closing.framing == .untilClose)
                #expect(closing.body == BodyPattern.bytes(count: 70_000))
                #expect(client.peerState(within: .seconds(1)).isGone)
                #expect(backend.connectionsAccepted == 1, "all of it on one keep-alive connection")
            }
        }

        @Test func stubHandlesPipelinedRequestsInOrder() throws {
            try withBackend { backend in
                let client = try RawHTTPClient(port: backend.port)
                let requests = (0..<5).map { HTTPRequest.get("/bytes?n=\(10 + $0)").bytes }
                try client.send(requests.flatMap { $0 })
                for index in 0..<5 {
                    #expect(try client.readResponse().body.count == 10 + index)
                }
            }
        }

        @Test func stubStreamsUploadsInBothFramings() throws {
            try withBackend { backend in
                let client = try RawHTTPClient(port: backend.port)
                for chunked in [false, true] {
                    let sent = try client.sendPatternRequest("/upload", length: 3_000_000, chunked: chunked)
                    let response = try client.readResponse()
                    #expect(response.bodyText == "length 3000000\nchecksum \(sent.hex)\n", "chunked: \(chunked)")
                }
            }
        }

        @Test func stubAnswersExpectContinue() throws {
            try withBackend { backend in
                let client = try RawHTTPClient(port: backend.port)
                try client.send(HTTPRequest("POST", "/upload", headers: [("Expect", "100-continue"), ("Content-Length", "5")]))
                #expect(try client.readResponse().status == 100)
                try client.send("hello")
                #expect(try client.readResponse().bodyText.hasPrefix("length 5\n"))
            }
        }

        @Test func stubSlowResetAndStop() throws {
            try withBackend { backend in
                let client = try RawHTTPClient(port: backend.port)
                let (slow, elapsed) = try measure { try client.get("/slow?ms=300&n=5") }
                #expect(slow.body.count == 5)
                #expect(elapsed >= .milliseconds(300))
                #expect(throws: HarnessError.self) { try client.get("/reset") }
                let reset = RawHTTPClient.resetOutcome(port: backend.port)
                #expect(reset == .reset)

                let idle = try RawHTTPClient(port: backend.port)
                #expect(try idle.get("/bytes?n=1").status == 200)
                let (_, stopTime) = measure { backend.stop() }
                #expect(stopTime < .seconds(2))
                #expect(idle.peerState(within: .seconds(1)).isGone)
            }
        }

        /// 50 MB through the stub and the streaming reader; also shows the harness's own
        /// throughput, the ceiling for the proxied test.
        @Test func stubStreamsFiftyMegabytes() throws {
            try withBackend { backend in
                let client = try RawHTTPClient(port: backend.port)
                let size = 50 << 20
                let (response, elapsed) = try measure {
                    try client.send(HTTPRequest.get("/download?n=\(size)"))
                    return try client.readStreamedResponse()
                }
                #expect(response.body.byteCount == size)
                #expect(response.body.firstPatternMismatch == nil)
                #expect(response.body.checksum.value == BodyPattern.checksum(count: size))
                print("harness: 50 MB download from the stub took \(elapsed)")
            }
        }

        @Test func metricsParserReadsExposition() throws {
            let text = """
                # HELP pushpind_requests_total Requests answered.
                # TYPE pushpind_requests_total counter
                pushpind_requests_total{shard="0",class="2xx"} 3
                pushpind_requests_total{shard="1",class="2xx"} 4
                pushpind_requests_total{class="2xx",shard="total"} 7
                pushpind_requests_total{shard="total",class="5xx"} 1e0
                # TYPE pushpind_connections_open gauge
                pushpind_connections_open{shard="total"} 2 1700000000000
                odd_metric{path="a \\"q\\" b"} +Inf
                bare 5
                """
            let metrics = try MetricsText(parsing: text)
            #expect(metrics.total("pushpind_requests_total", ["class": "2xx"]) == 7)
            #expect(metrics.sumOverShards("pushpind_requests_total", shards: 2, ["class": "2xx"]) == 7)
            #expect(metrics.total("pushpind_requests_total", ["class": "5xx"]) == 1)
            #expect(metrics.total("pushpind_connections_open") == 2)
            #expect(metrics.types["pushpind_connections_open"] == "gauge")
            #expect(metrics.matching("odd_metric").first?.labels["path"] == "a \"q\" b")
            #expect(metrics.value("bare", [:]) == 5)
            #expect(throws: HarnessError.self) { try MetricsText(parsing: "broken{x=1} 2") }
        }
    }
}

extension RawHTTPClient {
    /// Asks the stub for `/reset` on a fresh connection and reports what the client saw.
    static func resetOutcome(port: UInt16) -> PeerState {
        guard let client = try? RawHTTPClient(port: port), (try? client.send(HTTPRequest.get("/reset"))) != nil else {
            return .open
        }
        return client.peerState(within: .seconds(2))
    }
}
