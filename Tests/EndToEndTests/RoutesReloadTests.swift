import Foundation
import Testing

/// The routes file reloads when it changes, without SIGHUP: written in place or replaced
/// by a rename as editors do; a file that cannot load keeps the routes in place.
extension EndToEnd {
    @Suite struct RoutesReloadTests {
        /// Requests reach the stub named `name` within 5 s (the reload waits 1 s for quiet).
        static func reaches(_ name: String, port: UInt16) -> Bool {
            eventually(timeout: .seconds(5), interval: .milliseconds(100)) { () -> Bool? in
                let response = try? RawHTTPClient.fetch(port: port, "/echo", timeout: .seconds(2))
                return response?.header("X-Stub-Name") == name ? true : nil
            } == true
        }

        static func withTwoBackends(_ body: (BackendStub, BackendStub, PushpindProcess, Sandbox) throws -> Void) throws {
            try withBackend(name: "first") { first in
                try withBackend(name: "second") { second in
                    try withPushpind(PushpindSetup.proxying(to: first)) { pushpind, sandbox in
                        #expect(try RawHTTPClient.fetch(port: pushpind.clientPort, "/echo").header("X-Stub-Name") == "first")
                        try body(first, second, pushpind, sandbox)
                    }
                }
            }
        }

        @Test func aFileReplacedByRenameIsReloaded() throws {
            try Self.withTwoBackends { _, second, pushpind, sandbox in
                try sandbox.write("* 127.0.0.1:\(second.port)\n", to: "routes")  // temp file + rename
                #expect(Self.reaches("second", port: pushpind.clientPort), "the renamed-in routes file was not loaded")
                #expect(pushpind.logTail().contains("routes file changed"))
            }
        }

        @Test func aFileWrittenInPlaceIsReloaded() throws {
            try Self.withTwoBackends { _, second, pushpind, sandbox in
                let handle = try #require(FileHandle(forWritingAtPath: sandbox.path("routes")))
                try handle.truncate(atOffset: 0)
                try handle.write(contentsOf: Data("* 127.0.0.1:\(second.port)\n".utf8))
                try handle.close()
                #expect(Self.reaches("second", port: pushpind.clientPort), "the rewritten routes file was not loaded")
            }
        }

        /// A file with no loadable line, then no file at all: the routes stay, the log says
        /// why, and the watch still sees the good file that follows.
        @Test func aBadFileKeepsTheRoutes() throws {
            try Self.withTwoBackends { _, second, pushpind, sandbox in
                try sandbox.write("*,proto=tcp 127.0.0.1:\(second.port)\n", to: "routes")
                let refused = eventually(timeout: .seconds(5), interval: .milliseconds(100)) {
                    pushpind.logTail().contains("no line of the file loads") ? true : nil
                }
                #expect(refused == true, "no refusal logged")
                #expect(try RawHTTPClient.fetch(port: pushpind.clientPort, "/echo").header("X-Stub-Name") == "first")

                try FileManager.default.removeItem(atPath: sandbox.path("routes"))
                let unreadable = eventually(timeout: .seconds(5), interval: .milliseconds(100)) {
                    pushpind.logTail().contains("cannot read \(sandbox.path("routes"))") ? true : nil
                }
                #expect(unreadable == true, "no failure logged for the removed file")
                #expect(try RawHTTPClient.fetch(port: pushpind.clientPort, "/echo").header("X-Stub-Name") == "first")

                try sandbox.write("* 127.0.0.1:\(second.port)\n", to: "routes")
                #expect(Self.reaches("second", port: pushpind.clientPort), "the good file after a bad one was not loaded")
                #expect(pushpind.isRunning)
            }
        }
    }
}
