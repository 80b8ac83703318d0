import Testing

/// pushpind with Fanout's official Python library on both sides: a backend answering with
/// the library's GRIP helpers, and `GripPubControl` publishing to the control port.
extension EndToEnd {
    @Suite struct GripControlLibraryTests {
        @Test func pythonBackendAndPublisherWork() throws {
            guard GripControlLibrary.ensureInstalled() else { return }
            let backend = try PythonProcess(script: GripControlLibrary.backend)
            defer { backend.stop() }
            let backendPort = try backend.waitForReadyPort()
            try withPushpind(.proxying(toPort: backendPort)) { pushpind in
                let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/stream")
                #expect(subscriber.head.value("X-Grip-Sig-Valid") == "yes", "gripcontrol.validate_sig rejected pushpind's Grip-Sig")
                #expect(subscriber.head.value("Grip-Hold") == nil && subscriber.head.value("Grip-Channel") == nil)
                #expect(try subscriber.read(expecting: "py stream\n") == "py stream\n")
                let poll = try RawHTTPClient(port: pushpind.clientPort)
                try poll.send(.get("/poll"))
                try pushpind.waitForHeld(stream: 1, response: 1)

                let output = try PythonProcess.run(GripControlLibrary.publisher, arguments: [String(pushpind.controlPort)])
                #expect(output.contains("published"), "publisher said: \(output)")
                #expect(try subscriber.read(expecting: "py stream\nfrom python\n") == "py stream\nfrom python\n")
                let response = try poll.readResponse()
                #expect(response.status == 200)
                #expect(response.bodyText == "py done\n")
                #expect(response.header("Content-Type") == "text/plain")
            }
        }

        /// With `push_in_http_key`, the library's own JWT (`control_iss` + `key`) is accepted.
        @Test func pythonPublisherSignsForAKeyedControlPort() throws {
            guard GripControlLibrary.ensureInstalled() else { return }
            let setup = PublishTests.testRoute(handler: [("push_in_http_key", "library-key")])
            try withPushpind(setup) { pushpind in
                let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/stream?channel=pystream")
                let poll = try RawHTTPClient(port: pushpind.clientPort)
                try poll.send(.get("/response?channel=pypoll"))
                try pushpind.waitForHeld(stream: 1, response: 1)
                _ = try PythonProcess.run(GripControlLibrary.publisher, arguments: [String(pushpind.controlPort), "library-key"])
                let expected = "[stream opened]\nfrom python\n"
                #expect(try subscriber.read(expecting: expected) == expected)
                #expect(try poll.readResponse().bodyText == "py done\n")
                // And without the key the library's publish fails (401).
                #expect(throws: HarnessError.self) {
                    try PythonProcess.run(GripControlLibrary.publisher, arguments: [String(pushpind.controlPort)])
                }
            }
        }
    }
}
