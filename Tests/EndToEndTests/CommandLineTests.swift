import Testing

/// Command-line flags win over the config file: `--port` and `--control-port` over the
/// ports in pushpin.conf, `--routes` over `[proxy] routesfile`.
extension EndToEnd {
    @Suite struct CommandLineTests {
        @Test func portFlagsOverrideTheConfiguredPorts() throws {
            try withBackend { backend in
                var setup = PushpindSetup.proxying(to: backend)
                // Held, not just picked: a port that was merely free could be handed out again
                // as one of pushpind's own ports (it happened once in CI).
                let reserved = (client: try TCPSocket.reserve(), control: try TCPSocket.reserve())
                defer {
                    reserved.client.close()
                    reserved.control.close()
                }
                let decoys = (client: reserved.client.localPort, control: reserved.control.localPort)
                setup.configPorts = decoys
                try withPushpind(setup) { (pushpind: PushpindProcess) throws in
                    #expect(try RawHTTPClient.fetch(port: pushpind.clientPort, "/bytes?n=10").status == 200)
                    #expect(try RawHTTPClient.fetch(port: pushpind.controlPort, "/metrics").status == 200)
                    for port in [decoys.client, decoys.control] {
                        #expect(throws: HarnessError.self, "pushpind listens on configured port \(port) despite the flag") {
                            try TCPSocket.connect(port: port, timeout: .milliseconds(500)).close()
                        }
                    }
                }
            }
        }

        @Test func routesFlagOverridesTheConfiguredRoutesFile() throws {
            try withBackend(name: "from-config") { configured in
                try withBackend(name: "from-flag") { flagged in
                    var setup = PushpindSetup.proxying(to: flagged)
                    setup.routesViaFlag = true
                    setup.configRoutes = "* 127.0.0.1:\(configured.port)\n"
                    try withPushpind(setup) { pushpind in
                        let response = try RawHTTPClient.fetch(port: pushpind.clientPort, "/echo")
                        #expect(response.header("X-Stub-Name") == "from-flag")
                        #expect(configured.requests.isEmpty)
                    }
                }
            }
        }
    }
}
