import Foundation
import Testing

/// `[runner] https_ports`: TLS clients on the shards' own rings, certificates chosen by SNI
/// from `runner/certs`, reloaded when they change; HTTP, GRIP streams and WebSocket over TLS.
/// Certificates are made by `openssl` for each test; clients are Python's `ssl` and curl.
extension EndToEnd {
    @Suite struct TLSTests {
        static let handshakes = "pushpind_client_tls_handshakes_total"

        /// pushpind with an https listener and `certificates` (name → pair) in its certs
        /// directory; the body gets the https port and a CA file trusting all of them.
        static func withTLS<T>(
            _ certificates: [(String, TLSCertificate)], setup base: PushpindSetup = PushpindSetup(),
            sourceLocation: SourceLocation = #_sourceLocation,
            _ body: (PushpindProcess, Sandbox, UInt16, String) throws -> T
        ) throws -> T {
            let httpsPort = try freePort()
            guard base.routes != nil else {
                return try withBackend { backend in
                    try withTLS(certificates, setup: .proxying(to: backend), sourceLocation: sourceLocation, body)
                }
            }
            var setup = base
            setup.runner.append(("https_ports", "127.0.0.1:\(httpsPort)"))
            for (name, pair) in certificates {
                setup.files += pair.files(named: name.replacingOccurrences(of: "{port}", with: String(httpsPort)))
            }
            return try withPushpind(setup, sourceLocation: sourceLocation) { pushpind, sandbox in
                try sandbox.write(certificates.map(\.1.certificate).joined(), to: "ca.pem")
                return try body(pushpind, sandbox, httpsPort, sandbox.path("ca.pem"))
            }
        }

        static func setup(proxyingTo backend: BackendStub) -> PushpindSetup {
            PushpindSetup.proxying(to: backend)
        }

        @Test func sniChoosesTheExactNameThenTheWildcardThenTheListenersDefault() throws {
            let certificates = [
                ("example.test", try TLSCertificate.make(commonName: "example.test", organization: "exact")),
                ("_.wild.test", try TLSCertificate.make(commonName: "*.wild.test", organization: "wildcard")),
                ("default_{port}", try TLSCertificate.make(commonName: "default.test", organization: "default")),
            ]
            try withBackend { backend in
                try Self.withTLS(certificates, setup: Self.setup(proxyingTo: backend)) { pushpind, _, port, ca in
                    let names = ["example.test", "a.wild.test", "b.a.wild.test", "other.test", "-"]
                    let results = try TLSClientScript.run("probe", port: port, cafile: ca, names)
                    #expect(results.map { $0["org"] as? String } == ["exact", "wildcard", "default", "default", "default"])
                    for result in results {
                        #expect(result["status"] as? Int == 200, "\(result)")
                        #expect(["TLSv1.2", "TLSv1.3"].contains(result["version"] as? String ?? ""), "\(result)")
                        #expect(result["alpn"] as? String == "http/1.1", "\(result)")
                        let body = result["body"] as? String ?? ""
                        #expect(body.contains("header X-Forwarded-Proto: https\n"), "backend saw: \(body)")
                    }
                    // The plain listener still says nothing of a scheme.
                    let plain = try RawHTTPClient(port: pushpind.clientPort).get("/echo")
                    #expect(!plain.bodyText.contains("X-Forwarded-Proto"))
                    try pushpind.expectMetrics { checks in
                        checks.expectTotal(Self.handshakes, ["kind": "full"], equals: 5)
                        checks.expectTotal(Self.handshakes, ["kind": "failed"], equals: 0)
                    }
                }
            }
        }

        @Test func curlSpeaksTLS12And13AndOlderVersionsAreRefused() throws {
            let certificates = [("example.test", try TLSCertificate.make(commonName: "example.test"))]
            try withBackend { backend in
                try Self.withTLS(certificates, setup: Self.setup(proxyingTo: backend)) { pushpind, _, port, ca in
                    func curl(_ options: [String]) throws -> (status: Int32, output: String) {
                        let sandbox = try Sandbox()
                        defer { sandbox.remove() }
                        let pid = try ChildProcess.spawn(
                            ["curl", "-sS", "--max-time", "20", "--cacert", ca, "--resolve", "example.test:\(port):127.0.0.1"]
                                + options + ["https://example.test:\(port)/echo"],
                            outputPath: sandbox.path("out"))
                        var status: Int32 = 0
                        waitpid(pid, &status, 0)
                        return (status, (try? String(contentsOfFile: sandbox.path("out"), encoding: .utf8)) ?? "")
                    }
                    for versions in [["--tlsv1.3"], ["--tlsv1.2", "--tls-max", "1.2"]] {
                        let (status, output) = try curl(versions)
                        #expect(status == 0, "curl \(versions): \(output)")
                        #expect(output.contains("stub backend\n"), "curl \(versions): \(output)")
                    }
                    let (status, output) = try curl(["--tlsv1", "--tls-max", "1.1", "--ciphers", "DEFAULT:@SECLEVEL=0"])
                    #expect(status != 0, "TLS 1.1 was accepted: \(output)")
                    try pushpind.expectMetrics { checks in
                        checks.expectTotal(Self.handshakes, ["kind": "full"], equals: 2)
                        checks.expectTotal(Self.handshakes, ["kind": "failed"], equals: 1)
                    }
                }
            }
        }

        @Test func aNameWithNoCertificateAndNoDefaultFailsItsHandshake() throws {
            let certificates = [("example.test", try TLSCertificate.make(commonName: "example.test"))]
            try Self.withTLS(certificates) { pushpind, _, port, ca in
                let results = try TLSClientScript.run("probe", port: port, cafile: ca, ["other.test", "example.test"])
                #expect(results.first?["error"] != nil, "\(results)")
                #expect(results.last?["status"] as? Int == 200, "\(results)")
                try pushpind.expectMetrics { checks in
                    checks.expectTotal(Self.handshakes, ["kind": "failed"], equals: 1)
                }
            }
        }

        /// Plain HTTP sent to the TLS port is not a ClientHello: closed, counted, and the
        /// shard goes on serving.
        @Test func garbageInsteadOfAHandshakeIsClosedAndCounted() throws {
            let certificates = [("default_{port}", try TLSCertificate.make(commonName: "example.test"))]
            try Self.withTLS(certificates) { pushpind, _, port, ca in
                let socket = try TCPSocket.connect(port: port)
                defer { socket.close() }
                try socket.send(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8), deadline: Deadline(in: .seconds(5)))
                #expect(Self.closes(socket), "the connection stayed open")
                let results = try TLSClientScript.run("probe", port: port, cafile: ca, ["example.test"])
                #expect(results.first?["status"] as? Int == 200, "\(results)")
                try pushpind.expectMetrics { checks in
                    checks.expectTotal(Self.handshakes, ["kind": "failed"], equals: 1)
                    checks.expectTotal(Self.handshakes, ["kind": "full"], equals: 1)
                }
            }
        }

        /// Half a handshake and then nothing: closed when `client_header_timeout` passes.
        /// Under its own limit (the header limit left at 30 s, longer than `closes` waits), or
        /// with none, under the header limit.
        @Test(arguments: [[("client_handshake_timeout", "1")], [("client_handshake_timeout", "0"), ("client_header_timeout", "1")]])
        func aStalledHandshakeIsClosedAndCounted(limits: [(String, String)]) throws {
            let certificates = [("default_{port}", try TLSCertificate.make(commonName: "example.test"))]
            var setup = PushpindSetup()
            setup.routes = "* test\n"
            setup.runner.append(contentsOf: limits)
            try Self.withTLS(certificates, setup: setup) { pushpind, _, port, _ in
                let socket = try TCPSocket.connect(port: port)
                defer { socket.close() }
                try socket.send([0x16, 0x03, 0x01, 0x02, 0x00, 0x01], deadline: Deadline(in: .seconds(5)))  // a record header, a byte
                #expect(Self.closes(socket), "the stalled handshake stayed open")
                try pushpind.expectMetrics { checks in
                    checks.expectTotal(Self.handshakes, ["kind": "timeout"], equals: 1)
                    checks.expectTotal("pushpind_client_timeouts_total", ["kind": "header"], equals: 0)
                }
            }
        }

        @Test func aSecondConnectionResumesWithATicket() throws {
            let certificates = [("example.test", try TLSCertificate.make(commonName: "example.test"))]
            try Self.withTLS(certificates) { pushpind, _, port, ca in
                let results = try TLSClientScript.run("resume", port: port, cafile: ca, ["example.test"])
                #expect(results.first?["reused"] as? Bool == true, "\(results)")
                #expect(results.first?["status"] as? Int == 200, "\(results)")
                try pushpind.expectMetrics { checks in
                    checks.expectTotal(Self.handshakes, ["kind": "resumed"], equals: 1)
                }
            }
        }

        /// A replaced certificate is served to new connections; a connection made with the
        /// old one goes on.
        @Test func aChangedCertificateIsServedWithoutDroppingConnections() throws {
            let first = try TLSCertificate.make(commonName: "example.test", organization: "first")
            let second = try TLSCertificate.make(commonName: "example.test", organization: "second")
            try Self.withTLS([("example.test", first)]) { pushpind, sandbox, port, ca in
                try sandbox.write(first.certificate + second.certificate, to: "ca.pem")
                let old = try PythonProcess(script: TLSClientScript.script, arguments: ["keepalive", String(port), ca, "example.test", "4"])
                defer { old.stop() }
                let connected = eventually(timeout: .seconds(20)) { TLSClientScript.lines(old.output).isEmpty ? nil : true }
                #expect(connected == true, "keep-alive client: \(old.output)")

                try sandbox.write(second.key, to: "runner/certs/example.test.key")
                try sandbox.write(second.certificate, to: "runner/certs/example.test.crt")
                let served = eventually(timeout: .seconds(20), interval: .milliseconds(300)) { () -> String? in
                    let org = (try? TLSClientScript.run("probe", port: port, cafile: ca, ["example.test"]))?.first?["org"] as? String
                    return org == "second" ? org : nil
                }
                #expect(served == "second", "the new certificate was not served")

                #expect(old.waitForExit(timeout: .seconds(30)) == .exited(0), "keep-alive client: \(old.output)")
                let lines = TLSClientScript.lines(old.output)
                #expect(lines.map { $0["status"] as? Int } == [200, 200], "\(old.output)")
                #expect(lines.map { $0["org"] as? String } == ["first", "first"])
                try pushpind.expectMetrics { checks in
                    checks.expectTotal("pushpind_client_tls_errors_total", ["kind": "session"], equals: 0)
                }
            }
        }

        @Test func sslConditionsOfRoutesMatchOnTheListener() throws {
            try withBackend(name: "tls") { tlsBackend in
                try withBackend(name: "plain") { plainBackend in
                    var setup = PushpindSetup()
                    setup.routes = "*,ssl=yes 127.0.0.1:\(tlsBackend.port)\n*,ssl=no 127.0.0.1:\(plainBackend.port)\n"
                    let certificates = [("example.test", try TLSCertificate.make(commonName: "example.test"))]
                    try Self.withTLS(certificates, setup: setup) { pushpind, _, port, ca in
                        let results = try TLSClientScript.run("probe", port: port, cafile: ca, ["example.test"])
                        let body = results.first?["body"] as? String ?? ""
                        #expect(body.hasPrefix("stub tls\n"), "TLS request went to: \(body.prefix(20))")
                        let plain = try RawHTTPClient(port: pushpind.clientPort).get("/echo")
                        #expect(plain.bodyText.hasPrefix("stub plain\n"), "\(plain.bodyText)")
                    }
                }
            }
        }

        @Test func gripStreamOverTLS() throws {
            let certificates = [("example.test", try TLSCertificate.make(commonName: "example.test"))]
            try withBackend { backend in
                try Self.withTLS(certificates, setup: Self.setup(proxyingTo: backend)) { pushpind, _, port, ca in
                    let client = try PythonProcess(
                        script: TLSClientScript.script, arguments: ["stream", String(port), ca, "example.test", "/grip/stream?ch=tls"])
                    defer { client.stop() }
                    try pushpind.waitForHeld(stream: 1, timeout: .seconds(20))
                    let big = String(repeating: "x", count: 40_000)  // more than one TLS record
                    try pushpind.publish([PublishJSON.stream("tls", "hello\n"), PublishJSON.stream("tls", big + "\n")])
                    let received = eventually(timeout: .seconds(20)) { () -> String? in
                        let text = Self.streamText(client.output)
                        let complete = [BackendStub.gripStreamBody, "hello\n", big + "\n\r\n"].allSatisfy { text.contains($0) }
                        return complete ? text : nil
                    }
                    #expect(received != nil, "stream over TLS got: \(client.output.prefix(600))")
                }
            }
        }

        /// A TLS 1.2 session runs on pushpind's record layer after its handshake too: a
        /// request, a second one kept alive on the same connection, then a GRIP stream on it
        /// that receives publishes (one of several records).
        @Test func aTLS12ConnectionServesRequestsAndAStreamAfterItsHandover() throws {
            let certificates = [("example.test", try TLSCertificate.make(commonName: "example.test"))]
            try withBackend { backend in
                try Self.withTLS(certificates, setup: Self.setup(proxyingTo: backend)) { pushpind, _, port, ca in
                    let client = try PythonProcess(
                        script: TLSClientScript.script, arguments: ["tls12", String(port), ca, "example.test", "/grip/stream?ch=tls12"])
                    defer { client.stop() }
                    do {
                        try pushpind.waitForHeld(stream: 1, timeout: .seconds(20))
                    } catch {
                        Issue.record("not held: \(error); client: \(client.output.suffix(600))")
                        return
                    }
                    let requests = TLSClientScript.lines(client.output).filter { $0["version"] != nil }
                    #expect(requests.map { $0["version"] as? String } == ["TLSv1.2", "TLSv1.2"], "\(client.output.prefix(600))")
                    #expect(requests.map { $0["status"] as? Int } == [200, 200], "\(client.output.prefix(600))")
                    let big = String(repeating: "z", count: 40_000)
                    try pushpind.publish([PublishJSON.stream("tls12", "hello\n"), PublishJSON.stream("tls12", big + "\n")])
                    let received = eventually(timeout: .seconds(20)) { () -> String? in
                        let text = Self.streamText(client.output)
                        let complete = [BackendStub.gripStreamBody, "hello\n", big + "\n\r\n"].allSatisfy { text.contains($0) }
                        return complete ? text : nil
                    }
                    #expect(received != nil, "stream over TLS 1.2 got: \(client.output.prefix(600))")
                    try pushpind.expectMetrics { checks in
                        checks.expectTotal("pushpind_client_tls_errors_total", ["kind": "session"], equals: 0)
                    }
                }
            }
        }

        @Test func webSocketOverTLS() throws {
            let certificates = [("example.test", try TLSCertificate.make(commonName: "example.test"))]
            var setup = PushpindSetup()
            setup.routes = "* test\n"
            try Self.withTLS(certificates, setup: setup) { pushpind, _, port, ca in
                let client = try PythonProcess(
                    script: TLSClientScript.script, arguments: ["ws", String(port), ca, "example.test", "/ws?channel=tls"])
                defer { client.stop() }
                try pushpind.waitForSubscriptions(atLeast: 1, timeout: .seconds(20))
                try pushpind.publishWebSocket(channel: "tls", content: "bye")
                #expect(client.waitForExit(timeout: .seconds(20)) == .exited(0), "\(client.output)")
                #expect(TLSClientScript.lines(client.output).map { $0["message"] as? String } == ["hello", "bye"], "\(client.output)")
            }
        }

        /// A TLS 1.3 session runs on pushpind's record layer after its handshake: a held
        /// stream goes on after the client's KeyUpdate, with (`K`) and without (`k`) a request
        /// for pushpind's own. Python's `ssl` cannot send one; `openssl s_client` does, on
        /// its command letters.
        @Test(arguments: ["K", "k"])
        func aStreamOverTLS13SurvivesAClientKeyUpdate(command: String) throws {
            let certificates = [("example.test", try TLSCertificate.make(commonName: "example.test"))]
            try withBackend { backend in
                try Self.withTLS(certificates, setup: Self.setup(proxyingTo: backend)) { pushpind, _, port, ca in
                    let client = try PythonProcess(script: Self.keyUpdateScript, arguments: [String(port), ca, command])
                    defer { client.stop() }
                    do {
                        try pushpind.waitForHeld(stream: 1, timeout: .seconds(20))
                    } catch {
                        Issue.record("not held: \(error); s_client: \(client.output.suffix(1500))")
                        return
                    }
                    try pushpind.publish([PublishJSON.stream("ku", "before\n")])
                    // s_client says KEYUPDATE when it sends the message.
                    let updated = eventually(timeout: .seconds(20)) { client.output.contains("KEYUPDATE\n") && client.output.contains("KEYUPDATE SENT") ? true : nil }
                    #expect(updated == true, "s_client: \(client.output.suffix(600))")
                    let big = String(repeating: "y", count: 40_000)
                    try pushpind.publish([PublishJSON.stream("ku", "after\n"), PublishJSON.stream("ku", big + "\n")])
                    let received = eventually(timeout: .seconds(20)) { () -> Bool? in
                        let text = client.output
                        return text.contains("after\n") && text.contains(big) ? true : nil
                    }
                    #expect(received == true, "s_client: \(client.output.suffix(600))")
                    try pushpind.expectMetrics { checks in
                        checks.expectTotal("pushpind_client_tls_errors_total", ["kind": "session"], equals: 0)
                    }
                }
            }
        }

        /// `openssl s_client` on TLS 1.3 holding `/grip/stream?ch=ku`; once `before` arrives it
        /// is given the KeyUpdate command letter, then prints the rest of the stream.
        static let keyUpdateScript = #"""
        import subprocess, sys, threading, time
        port, ca, command = sys.argv[1], sys.argv[2], sys.argv[3]
        p = subprocess.Popen(["openssl", "s_client", "-connect", "127.0.0.1:" + port, "-servername", "example.test",
                              "-CAfile", ca, "-tls1_3", "-crlf"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        seen = threading.Event()
        def pump():
            for line in iter(p.stdout.readline, b""):
                text = line.decode(errors="replace")
                sys.stdout.write(text)
                if text.startswith("before"): seen.set()
        threading.Thread(target=pump, daemon=True).start()
        p.stdin.write(b"GET /grip/stream?ch=ku HTTP/1.1\nHost: example.test\n\n"); p.stdin.flush()
        if seen.wait(30):
            p.stdin.write(command.encode() + b"\n"); p.stdin.flush()
            time.sleep(0.5)
            print("KEYUPDATE SENT", flush=True)
        time.sleep(30)
        p.kill()
        """#

        /// Stream bytes as the client decrypted them (chunk framing left in).
        static func streamText(_ output: String) -> String {
            TLSClientScript.lines(output).compactMap { $0["data"] as? String }.joined()
        }

        /// Waits (bounded) for the peer to close: EOF or reset.
        static func closes(_ socket: TCPSocket) -> Bool {
            socket.setTimeout(.seconds(10))
            var buffer = [UInt8](repeating: 0, count: 4096)
            for _ in 0..<100 {
                do {
                    if try buffer.withUnsafeMutableBytes({ try socket.receive(into: $0) }) == 0 { return true }
                } catch let error as HarnessError {
                    return error.kind != .timedOut  // a reset closes too
                } catch {
                    return false
                }
            }
            return false
        }
    }
}
