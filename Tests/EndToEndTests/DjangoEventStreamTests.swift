import Foundation
import Testing

/// A real GRIP application as the origin: django-eventstream with django-grip, storing its
/// events in SQLite (`Tests/Origins/eventstream_origin.py`), and SSE clients built on the
/// sseclient-py library (`eventstream_clients.py`). It needs what reliable delivery gives:
/// the build-id filter for event ids, prev-id sequencing, and recovery through next links.
extension EndToEnd {
    @Suite struct DjangoEventStreamTests {
        static let origins = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Origins")

        static func script(_ name: String) throws -> String {
            try String(contentsOf: origins.appendingPathComponent(name), encoding: .utf8)
        }

        @Test func eventsReachEveryClientInOrderAndMissedOnesAreRecovered() throws {
            guard PythonModules.ensureInstalled(["django": "django", "django_eventstream": "django-eventstream",
                                                 "django_grip": "django-grip", "sseclient": "sseclient-py"]) else { return }
            let originPort = try freePort()
            try withPushpind(.proxying(toPort: originPort)) { pushpind, sandbox in
                let origin = try PythonProcess(
                    script: try Self.script("eventstream_origin.py"),
                    arguments: [sandbox.root, "http://127.0.0.1:\(pushpind.controlPort)", String(originPort)])
                defer { origin.stop() }
                _ = try origin.waitForReadyPort(timeout: .seconds(60))
                let output = try PythonProcess.run(
                    try Self.script("eventstream_clients.py"),
                    arguments: ["http://127.0.0.1:\(pushpind.clientPort)", "http://127.0.0.1:\(originPort)", "20"],
                    timeout: .seconds(120))
                #expect(output.contains("RESULT OK"), "clients said:\n\(output.suffix(3000))\norigin said:\n\(origin.output.suffix(2000))")
            }
        }
    }
}
