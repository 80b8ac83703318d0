import Testing

/// `Grip-Hold: response` (long-polling): nothing is sent until an `http-response` publish
/// or the timeout, and after either the client connection carries on (keep-alive).
extension EndToEnd {
    @Suite struct GripResponseTests {
        static func gripHeaders(_ response: HTTPResponse) -> [(name: String, value: String)] {
            response.head.headers.filter { $0.name.lowercased().hasPrefix("grip-") }
        }

        @Test func publishedResponseEndsTheHoldAndTheConnectionCarriesOn() throws {
            try withProxiedBackend { _, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                try client.send(.get("/grip/response?ch=poll"))
                try pushpind.waitForHeld(response: 1)
                #expect(client.peerState(within: .milliseconds(200)) == .open, "a long-poll answered before any publish")

                // Stream content is not for long-polls: nothing happens.
                try pushpind.publish(PublishJSON.stream("poll", "stream content\n"))
                #expect(client.peerState(within: .milliseconds(300)) == .open, "http-stream publish reached a long-poll")
                try pushpind.waitForHeld(response: 1)

                let headers = ["Content-Type": "text/plain", "X-Published": "yes"]
                try pushpind.publish(PublishJSON.response("poll", code: 200, headers: headers, body: "done\n"))
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.bodyText == "done\n")
                #expect(response.header("Content-Type") == "text/plain")
                #expect(response.header("X-Published") == "yes")
                // The hold's own (timeout) response headers stay unless the item replaces them.
                #expect(response.header("X-Stub-Header") == "kept")
                #expect(Self.gripHeaders(response).isEmpty, "Grip-* reached the client: \(Self.gripHeaders(response))")
                try pushpind.waitForHeld(response: 0)

                let next = try client.get("/echo")
                #expect(next.status == 200, "second request on the same connection")
                #expect(try EchoReport(next).target == "/echo")
            }
        }

        /// The timeout path, four holds at once so the ~5 s wait is paid once:
        /// `Grip-Timeout: 5` with `Grip-Status`, `Grip-Timeout: 1` (raised to 5, as Pushpin
        /// does), a JSON instruct with `"timeout": 5` and a backend body that came chunked.
        @Test func timeoutSendsTheBackendsOwnResponse() throws {
            try withProxiedBackend { _, pushpind in
                // Each recv may block longer than the 5 s hold (the socket timeout bounds a recv,
                // whatever the read deadline says).
                let withStatus = try RawHTTPClient(port: pushpind.clientPort, timeout: .seconds(15))
                let clamped = try RawHTTPClient(port: pushpind.clientPort, timeout: .seconds(15))
                let json = try RawHTTPClient(port: pushpind.clientPort, timeout: .seconds(15))
                let chunked = try RawHTTPClient(port: pushpind.clientPort, timeout: .seconds(15))
                let begun = ContinuousClock.now
                try withStatus.send(.get("/grip/response?ch=t1&timeout=5&gstatus=202"))
                try clamped.send(.get("/grip/response?ch=t2&timeout=1"))
                try json.send(.get("/grip/instruct?mode=response&ch=t3&timeout=5"))
                try chunked.send(.get("/grip/response?ch=t4&timeout=5&chunked=1"))
                try pushpind.waitForHeld(response: 4)

                let first = try withStatus.readResponse(timeout: .seconds(15))
                #expect(ContinuousClock.now - begun >= .seconds(4), "Grip-Timeout: 5 answered after \(ContinuousClock.now - begun)")
                #expect(first.status == 202)
                #expect(first.reason == "Stub Timeout")
                #expect(first.bodyText == BackendStub.gripTimeoutBody)
                #expect(first.framing == .contentLength(BackendStub.gripTimeoutBody.utf8.count))
                #expect(first.header("X-Stub-Header") == "kept")
                #expect(Self.gripHeaders(first).isEmpty, "Grip-* reached the client: \(Self.gripHeaders(first))")

                let second = try clamped.readResponse(timeout: .seconds(15))
                #expect(ContinuousClock.now - begun >= .seconds(4), "Grip-Timeout: 1 not raised to 5 s")
                #expect(second.status == 200)
                #expect(second.bodyText == BackendStub.gripTimeoutBody)

                let third = try json.readResponse(timeout: .seconds(15))
                #expect(third.status == 200)
                #expect(third.bodyText == BackendStub.gripInstructTimeoutBody)
                #expect(third.header("Content-Type") == "text/plain")

                // A chunked timeout body is sent whole, with its length.
                let fourth = try chunked.readResponse(timeout: .seconds(15))
                #expect(fourth.bodyText == BackendStub.gripTimeoutBody)
                #expect(fourth.framing == .contentLength(BackendStub.gripTimeoutBody.utf8.count))

                try pushpind.waitForHeld(response: 0)
                for client in [withStatus, clamped, json, chunked] {
                    #expect(try client.get("/echo").status == 200, "request after the timed-out long-poll")
                }
            }
        }

        @Test func jsonInstructResponseHoldGetsThePublish() throws {
            try withProxiedBackend { _, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                try client.send(.get("/grip/instruct?mode=response&ch=jr"))
                try pushpind.waitForHeld(response: 1)
                #expect(client.peerState(within: .milliseconds(200)) == .open)
                try pushpind.publish(PublishJSON.response("jr", code: 201, body: "created\n"))
                let response = try client.readResponse()
                #expect(response.status == 201)
                #expect(response.bodyText == "created\n")
                #expect(try client.get("/echo").status == 200)
            }
        }

        /// A long-poll whose client goes away is dropped with its subscription, and a
        /// publish after that reaches only the poll still waiting.
        @Test func aVanishedLongPollIsUnsubscribed() throws {
            try withProxiedBackend { _, pushpind in
                let leaving = try RawHTTPClient(port: pushpind.clientPort)
                let staying = try RawHTTPClient(port: pushpind.clientPort)
                try leaving.send(.get("/grip/response?ch=gone"))
                try staying.send(.get("/grip/response?ch=gone"))
                try pushpind.waitForHeld(response: 2)
                leaving.close()
                try pushpind.waitForHeld(response: 1)
                try pushpind.expectMetrics { $0.expectTotal("pushpind_subscriptions", equals: 1) }
                try pushpind.publish(PublishJSON.response("gone", body: "for whoever is left\n"))
                #expect(try staying.readResponse().bodyText == "for whoever is left\n")
                try pushpind.waitForHeld(response: 0)
                try pushpind.expectMetrics { $0.expectTotal("pushpind_subscriptions", equals: 0) }
            }
        }

        /// A request pipelined behind a held long-poll is answered after the poll's
        /// published response, in order, on the same connection.
        @Test func aRequestPipelinedBehindALongPollWaitsItsTurn() throws {
            try withProxiedBackend { _, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                try client.send(HTTPRequest.get("/grip/response?ch=piped").bytes + HTTPRequest.get("/echo?second").bytes)
                try pushpind.waitForHeld(response: 1)
                #expect(client.peerState(within: .milliseconds(200)) == .open, "something answered before the publish")
                try pushpind.publish(PublishJSON.response("piped", body: "first\n"))
                let first = try client.readResponse()
                #expect(first.bodyText == "first\n")
                let second = try client.readResponse()
                #expect(second.status == 200)
                #expect(try EchoReport(second).target == "/echo?second")
            }
        }

        /// Several long-polls on one channel (over both shards) all get the one publish.
        @Test func everyLongPollOnTheChannelIsAnswered() throws {
            try withProxiedBackend { _, pushpind in
                let clients = try (0..<8).map { _ in try RawHTTPClient(port: pushpind.clientPort) }
                for client in clients { try client.send(.get("/grip/response?ch=many")) }
                try pushpind.waitForHeld(response: clients.count)
                try pushpind.publish(PublishJSON.response("many", body: "all of you\n"))
                for (index, client) in clients.enumerated() {
                    let response = try client.readResponse()
                    #expect(response.status == 200 && response.bodyText == "all of you\n", "long-poll \(index): \(response.status) \(response.bodyText.debugDescription)")
                }
                try pushpind.waitForHeld(response: 0)
            }
        }
    }
}
