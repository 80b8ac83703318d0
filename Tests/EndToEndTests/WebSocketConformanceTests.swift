import Testing

/// Test (6): RFC 6455 conformance in the manner of the Autobahn TestSuite (sections 1–7, 9,
/// 10), every case against the test handler's echo (`/ws`, pushpind's own WebSocket code)
/// and against a passthrough route to a Python `websockets` echo server. Through the
/// passthrough route protocol errors are the backend's verdict: the case checks that
/// pushpind relays frames, verdicts and closes faithfully in both directions.
extension EndToEnd {
    @Suite struct WebSocketConformanceTests {
        @Test func autobahnSectionsAgainstTestHandlerAndPassthrough() throws {
            let cases = ConformanceCases.all
            var rows: [ConformanceRunner.Row] = []
            // The message-size cases (1009) use the 1 MiB limit the Python server has too.
            var setup = PushpindSetup()
            setup.routes = "* test\n"
            setup.runner = [("websocket_message_max", String(ConformanceCases.messageLimit))]
            try withPushpind(setup) { pushpind in
                rows += ConformanceRunner(route: "test", port: pushpind.clientPort, target: "/ws", strict: true).run(cases)
                try pushpind.expectMetrics { $0.expectTotal("pushpind_connections_open", equals: 0) }
            }
            try withPythonEchoServer { port in
                try withPushpind(.proxying(toPort: port)) { pushpind in
                    let runner = ConformanceRunner(route: "passthrough", port: pushpind.clientPort, target: "/echo", strict: false)
                    rows += runner.run(cases.map(ConformanceCases.forPassthrough))
                    try pushpind.expectMetrics { $0.expectTotal("pushpind_connections_open", equals: 0) }
                }
            }
            print("WebSocket conformance: \(rows.filter(\.passed).count) of \(rows.count) passed\n" + ConformanceRunner.table(rows))
            for row in rows where !row.passed {
                Issue.record("\(row.id) \(row.title) via \(row.route): expected \(row.expected), got \(row.got)")
            }
        }
    }
}
