import Testing

/// The built-in test handler's holds (`/stream`, `/response`), reached with no
/// configuration at all or through a `* test` route: push works with nothing but pushpind.
extension EndToEnd {
    @Suite struct TestHandlerGripTests {
        static var testRoute: PushpindSetup {
            var setup = PushpindSetup()
            setup.routes = "* test\n"
            return setup
        }

        @Test func streamWithoutAnyConfiguration() throws {
            try withPushpind(.testHandlerOnly) { pushpind in
                let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/stream?channel=th")
                #expect(try subscriber.read(expecting: "[stream opened]\n") == "[stream opened]\n")
                try pushpind.waitForHeld(stream: 1)
                try pushpind.publish(PublishJSON.stream("th", "hello\n"))
                #expect(try subscriber.read(expecting: "[stream opened]\nhello\n") == "[stream opened]\nhello\n")
            }
        }

        @Test func streamAndResponseThroughATestRoute() throws {
            try withPushpind(Self.testRoute) { pushpind in
                let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/stream?channel=routed")
                let poll = try RawHTTPClient(port: pushpind.clientPort)
                try poll.send(.get("/response?channel=routed"))
                try pushpind.waitForHeld(stream: 1, response: 1)
                #expect(poll.peerState(within: .milliseconds(200)) == .open, "test handler long-poll answered at once")

                try pushpind.publish([
                    PublishJSON.stream("routed", "to the stream\n"),
                    PublishJSON.response("routed", body: "to the long-poll\n"),
                ])
                let expected = "[stream opened]\nto the stream\n"
                #expect(try subscriber.read(expecting: expected) == expected)
                let response = try poll.readResponse()
                #expect(response.status == 200)
                #expect(response.bodyText == "to the long-poll\n")
                #expect(try poll.get("/").status == 200, "request after the long-poll")
            }
        }

        /// No `channel` parameter: both holds listen on `test`.
        @Test func defaultChannelIsTest() throws {
            try withPushpind(Self.testRoute) { pushpind in
                let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/stream")
                try pushpind.waitForHeld(stream: 1)
                try pushpind.publish(PublishJSON.stream("test", "default\n"))
                #expect(try subscriber.read(expecting: "[stream opened]\ndefault\n") == "[stream opened]\ndefault\n")
            }
        }
    }
}
