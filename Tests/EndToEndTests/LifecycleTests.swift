import Foundation
import Testing

/// Signals and resources over pushpind's life: SIGHUP reloads routes, SIGTERM drains and
/// exits 0, and connections leave no file descriptors behind.
extension EndToEnd {
    @Suite struct LifecycleTests {
        @Test func sighupReloadsTheRoutesFile() throws {
            try withBackend(name: "first") { first in
                try withBackend(name: "second") { second in
                    var setup = PushpindSetup.proxying(to: first)
                    setup.routesViaFlag = true
                    try withPushpind(setup) { pushpind, sandbox in
                        let before = try RawHTTPClient.fetch(port: pushpind.clientPort, "/echo")
                        #expect(before.header("X-Stub-Name") == "first")

                        try sandbox.write("* 127.0.0.1:\(second.port)\n", to: "routes")
                        try pushpind.sendSignal(SIGHUP)
                        let switched = eventually(timeout: .seconds(5), interval: .milliseconds(100)) { () -> Bool? in
                            let response = try? RawHTTPClient.fetch(port: pushpind.clientPort, "/echo", timeout: .seconds(2))
                            return response?.header("X-Stub-Name") == "second" ? true : nil
                        }
                        #expect(switched == true, "requests still not reaching the second backend 5 s after SIGHUP")
                        for _ in 0..<5 {
                            let response = try RawHTTPClient.fetch(port: pushpind.clientPort, "/echo")
                            #expect(response.header("X-Stub-Name") == "second")
                        }
                        #expect(pushpind.isRunning, "SIGHUP must not stop pushpind")
                    }
                }
            }
        }

        /// SIGTERM while the backend takes 1 s: the request still gets its whole answer, no
        /// new request is served meanwhile, and pushpind then exits with status 0.
        @Test func sigtermLetsTheInFlightRequestFinish() throws {
            try withProxiedBackend { backend, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                try client.send(HTTPRequest.get("/slow?ms=1000&n=5000"))
                let arrived = eventually(timeout: .seconds(3), interval: .milliseconds(10)) {
                    backend.requests.contains { $0.path == "/slow" } ? true : nil
                }
                try #require(arrived == true, "the slow request never reached the backend")
                try pushpind.sendSignal(SIGTERM)

                pause(.milliseconds(200))
                let late = Self.lateRequestStatus(port: pushpind.clientPort)
                #expect(late != 200, "a connection made after SIGTERM was still served")

                let response = try client.readResponse(timeout: .seconds(10))
                #expect(response.status == 200)
                #expect(response.body == BodyPattern.bytes(count: 5000))
                let exit = pushpind.waitForExit(timeout: .seconds(10))
                #expect(exit == .exited(0), "after SIGTERM: \(exit.map(\.description) ?? "still running after 10 s")")
            }
        }

        /// Idle keep-alive connections are not in-flight requests: they must not hold up exit.
        @Test func idleConnectionsDoNotDelayShutdown() throws {
            try withProxiedBackend { _, pushpind in
                let idle = try (0..<3).map { _ in try RawHTTPClient(port: pushpind.clientPort) }
                for client in idle { #expect(try client.get("/bytes?n=10").status == 200) }
                let (exit, elapsed) = measure { pushpind.stop(timeout: .seconds(10)) }
                #expect(exit == .exited(0))
                #expect(elapsed < .seconds(5), "SIGTERM with idle connections took \(elapsed)")
                for client in idle { #expect(client.peerState(within: .seconds(1)).isGone) }
            }
        }

        /// 200 connections opened, used and closed leave pushpind's fd count where it was, and
        /// its open-connection gauge at 0. Backend connections pushpind keeps pooled are
        /// counted on the stub's side and subtracted, so pooling does not look like a leak.
        @Test func fileDescriptorsReturnToBaselineAfter200Connections() throws {
            try withProxiedBackend { backend, pushpind in
                for _ in 0..<10 { _ = try RawHTTPClient.fetch(port: pushpind.clientPort, "/bytes?n=10") }
                let ownFDs = { () throws -> Int in try pushpind.openFDCount() - backend.openConnectionCount }
                let baseline = try Self.settled(ownFDs)

                var clients: [RawHTTPClient] = []
                for index in 0..<200 {
                    let client = try RawHTTPClient(port: pushpind.clientPort)
                    let response = try client.get("/bytes?n=10")
                    #expect(response.status == 200, "connection \(index)")
                    clients.append(client)
                }
                // Not asserted: sockets pushpind keeps as io_uring direct descriptors never show
                // in /proc/PID/fd. The connections_open gauge below covers those.
                let busy = try ownFDs()
                clients.forEach { $0.close() }
                clients.removeAll()

                let settled = try eventually(timeout: .seconds(5), interval: .milliseconds(100)) { () throws -> Int? in
                    let count = try ownFDs()
                    return count <= baseline ? count : nil
                }
                let final = try ownFDs()
                #expect(settled != nil, "fd count \(final) did not return to baseline \(baseline) within 5 s (\(busy) with 200 open)")
                try pushpind.expectMetrics { $0.expectTotal("pushpind_connections_open", equals: 0) }
            }
        }

        /// A fresh connection's request after SIGTERM: its status, or nil when it was refused,
        /// closed or left unanswered.
        static func lateRequestStatus(port: UInt16) -> Int? {
            guard let client = try? RawHTTPClient(port: port, timeout: .milliseconds(500)) else { return nil }
            return try? client.get("/bytes?n=10", timeout: .milliseconds(500)).status
        }

        /// The value of `probe` once two reads 100 ms apart agree (bounded to 3 s).
        static func settled(_ probe: () throws -> Int) throws -> Int {
            var last = try probe()
            for _ in 0..<30 {
                pause(.milliseconds(100))
                let now = try probe()
                if now == last { return now }
                last = now
            }
            return last
        }
    }
}
