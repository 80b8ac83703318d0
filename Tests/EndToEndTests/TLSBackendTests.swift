import Foundation
import Testing

/// Route targets with `ssl`: pushpind connects to an HTTPS origin (Python's `ssl`) whose
/// certificate comes from a test CA, verifies it for the request's Host (or the target's own
/// host with `trust_connect_host`) unless `insecure`, presents `client_cert=` when asked, and
/// pools the TLS connections. A backend that fails TLS is a 502, counted as
/// `pushpind_backend_errors_total{kind="tls"}`.
extension EndToEnd {
    @Suite struct TLSBackendTests {
        /// pushpind trusting the test CA the way OpenSSL is pointed at a private CA.
        private static func setup(_ routes: String, trusting certificates: TestCertificates?) -> PushpindSetup {
            var setup = PushpindSetup()
            setup.routes = routes
            if let certificates { setup.environment["SSL_CERT_FILE"] = certificates.caFile }
            return setup
        }

        private static func get(_ pushpind: PushpindProcess, _ target: String, host: String) throws -> HTTPResponse {
            let client = try RawHTTPClient(port: pushpind.clientPort)
            defer { client.close() }
            return try client.get(target, headers: [("Host", host)])
        }

        private static func tlsErrors(_ pushpind: PushpindProcess) throws -> Double {
            try pushpind.metrics().total("pushpind_backend_errors_total", ["kind": "tls"])
        }

        @Test func verifiedOriginAnswersWithTheHostAsServerName() throws {
            let certificates = try TestCertificates()
            let origin = try TLSOrigin(certificates)
            defer { origin.stop() }
            try withPushpind(Self.setup("* 127.0.0.1:\(origin.port),ssl\n", trusting: certificates)) { pushpind in
                let response = try Self.get(pushpind, "/hello", host: "localhost")
                #expect(response.status == 200)
                #expect(response.bodyText == "hello over tls\n")
                #expect(response.header("X-SNI") == "localhost")
                #expect(response.header("X-Client-CN") == "none")
                #expect(try Self.tlsErrors(pushpind) == 0)
            }
        }

        /// The system store does not know the test CA: refused (502) unless `insecure`.
        @Test func untrustedCertificateIsRefusedUnlessInsecure() throws {
            let certificates = try TestCertificates()
            let origin = try TLSOrigin(certificates)
            defer { origin.stop() }
            let routes = "verified.test 127.0.0.1:\(origin.port),ssl\ninsecure.test 127.0.0.1:\(origin.port),ssl,insecure\n"
            try withPushpind(Self.setup(routes, trusting: nil)) { pushpind in
                let refused = try Self.get(pushpind, "/hello", host: "verified.test")
                #expect(refused.status == 502)
                #expect(try Self.tlsErrors(pushpind) == 1)
                let accepted = try Self.get(pushpind, "/hello", host: "insecure.test")
                #expect(accepted.status == 200)
                #expect(accepted.bodyText == "hello over tls\n")
                #expect(accepted.header("X-SNI") == "insecure.test")
                #expect(try Self.tlsErrors(pushpind) == 1)
            }
        }

        /// The certificate names localhost: a request for another Host fails verification,
        /// unless the route trusts the connect host (the SNI is still the Host, as Pushpin's).
        @Test func wrongNameIsRefusedUnlessTrustConnectHost() throws {
            let certificates = try TestCertificates()
            let origin = try TLSOrigin(certificates)
            defer { origin.stop() }
            let routes = "wrong.test localhost:\(origin.port),ssl\nconnect.test localhost:\(origin.port),ssl,trust_connect_host\n"
            try withPushpind(Self.setup(routes, trusting: certificates)) { pushpind in
                let refused = try Self.get(pushpind, "/hello", host: "wrong.test")
                #expect(refused.status == 502)
                #expect(try Self.tlsErrors(pushpind) >= 1)
                let trusted = try Self.get(pushpind, "/hello", host: "connect.test")
                #expect(trusted.status == 200)
                #expect(trusted.header("X-SNI") == "connect.test", "the SNI is the Host, as Pushpin sends it")
            }
        }

        /// The origin requires a certificate from the test CA (verified here for the
        /// connect address, 127.0.0.1, which the server certificate names too).
        @Test func clientCertificateIsPresentedWhenConfigured() throws {
            let certificates = try TestCertificates()
            // Relative to the routes file's directory, a sibling temp dir of the certificates'.
            func relative(_ path: String) -> String { "../" + path.split(separator: "/").suffix(2).joined(separator: "/") }
            let origin = try TLSOrigin(certificates, requireClientCertificate: true)
            defer { origin.stop() }
            let routes = """
                anonymous.test 127.0.0.1:\(origin.port),ssl,trust_connect_host
                identified.test 127.0.0.1:\(origin.port),ssl,trust_connect_host,client_cert=\(relative(certificates.clientCert)),client_key=\(relative(certificates.clientKey))

                """
            try withPushpind(Self.setup(routes, trusting: certificates)) { pushpind in
                // Refused after the handshake (TLS 1.3): an alert, or a reset that overtakes
                // it, so whether it counts as tls or reset is the network's choice.
                #expect(try Self.get(pushpind, "/hello", host: "anonymous.test").status == 502)
                let identified = try Self.get(pushpind, "/hello", host: "identified.test")
                #expect(identified.status == 200)
                #expect(identified.header("X-Client-CN") == "pushpind-client")
            }
        }

        @Test func streamHoldFromTLSOriginGetsPublishes() throws {
            let certificates = try TestCertificates()
            let origin = try TLSOrigin(certificates)
            defer { origin.stop() }
            try withPushpind(Self.setup("* 127.0.0.1:\(origin.port),ssl\n", trusting: certificates)) { pushpind in
                let subscriber = try StreamSubscriber(
                    port: pushpind.clientPort, target: "/stream?ch=secure", headers: [("Host", "localhost")])
                let start = "stream start\n"
                #expect(try subscriber.read(expecting: start) == start)
                try pushpind.waitForHeld(stream: 1)
                try pushpind.publish(PublishJSON.stream("secure", "published\n"))
                #expect(try subscriber.read(expecting: start + "published\n") == start + "published\n")
            }
        }

        /// Bodies much larger than a TLS record and than the send queue's high water, both
        /// ways: sealed and opened in pieces, with backpressure, intact.
        @Test func largeBodiesCrossTheTLSConnectionIntact() throws {
            let certificates = try TestCertificates()
            let origin = try TLSOrigin(certificates)
            defer { origin.stop() }
            try withPushpind(Self.setup("* 127.0.0.1:\(origin.port),ssl\n", trusting: certificates)) { pushpind in
                let size = 1024 * 1024 + 7
                let pattern = (0..<size).map { UInt8($0 % 251) }
                let client = try RawHTTPClient(port: pushpind.clientPort)
                defer { client.close() }
                let upload = try client.request(HTTPRequest("POST", "/upload", headers: [("Host", "localhost")], body: pattern))
                #expect(upload.status == 200)
                #expect(upload.bodyText == "received \(size) intact\n")
                let download = try client.get("/big?n=\(size)", headers: [("Host", "localhost")])
                #expect(download.status == 200)
                #expect(download.body.count == size)
                #expect(download.body == pattern)
            }
        }

        /// A next link with no hold is fetched at once, over TLS like the request itself.
        @Test func nextLinkIsFetchedOverTLS() throws {
            let certificates = try TestCertificates()
            let origin = try TLSOrigin(certificates)
            defer { origin.stop() }
            try withPushpind(Self.setup("* 127.0.0.1:\(origin.port),ssl\n", trusting: certificates)) { pushpind in
                let subscriber = try StreamSubscriber(
                    port: pushpind.clientPort, target: "/paged?ch=paged", headers: [("Host", "localhost")])
                let expected = "page over tls\nstream start\n"
                #expect(try subscriber.read(expecting: expected) == expected)
                try pushpind.waitForHeld(stream: 1)
                try pushpind.publish(PublishJSON.stream("paged", "then published\n"))
                #expect(try subscriber.read(expecting: expected + "then published\n") == expected + "then published\n")
            }
        }

        /// A backend that answers the ClientHello with garbage: 502 and counted, and the
        /// shard goes on serving other requests.
        @Test func garbageInsteadOfAHandshakeIs502() throws {
            let certificates = try TestCertificates()
            let origin = try TLSOrigin(certificates)
            defer { origin.stop() }
            let garbage = try PythonProcess(script: Self.garbageServer)
            defer { garbage.stop() }
            let garbagePort = try garbage.waitForReadyPort()
            let routes = "bad.test 127.0.0.1:\(garbagePort),ssl\ngood.test 127.0.0.1:\(origin.port),ssl,insecure\n"
            var setup = Self.setup(routes, trusting: nil)
            setup.shards = 1
            try withPushpind(setup) { pushpind in
                let refused = try Self.get(pushpind, "/hello", host: "bad.test")
                #expect(refused.status == 502)
                #expect(try Self.tlsErrors(pushpind) == 1)
                #expect(try Self.get(pushpind, "/hello", host: "good.test").status == 200)
            }
        }

        /// A backend that accepts the connection and never answers the ClientHello: the
        /// backend timeout ends the request (504) while the shard serves others meanwhile.
        @Test func silentHandshakeTimesOutWithoutStallingTheShard() throws {
            let certificates = try TestCertificates()
            let origin = try TLSOrigin(certificates)
            defer { origin.stop() }
            let silent = try PythonProcess(script: Self.garbageServer, arguments: ["silent"])
            defer { silent.stop() }
            let silentPort = try silent.waitForReadyPort()
            let routes = "silent.test 127.0.0.1:\(silentPort),ssl\ngood.test 127.0.0.1:\(origin.port),ssl,insecure\n"
            var setup = Self.setup(routes, trusting: nil)
            setup.shards = 1
            setup.proxy = [("backend_timeout", "2")]
            try withPushpind(setup) { pushpind in
                let waiting = try RawHTTPClient(port: pushpind.clientPort)
                defer { waiting.close() }
                try waiting.send(.get("/hello", headers: [("Host", "silent.test")]))
                #expect(try Self.get(pushpind, "/hello", host: "good.test").status == 200)
                #expect(try waiting.readResponse().status == 504)
                try pushpind.expectMetrics {
                    $0.expectTotal("pushpind_backend_errors_total", ["kind": "timeout"], atLeast: 1)
                }
            }
        }

        /// Accepts TCP connections and writes a line of text to each, whatever it is sent
        /// (with the argument `silent`, writes nothing); closes each after 5 s.
        private static let garbageServer = #"""
            import socket, sys, threading
            listener = socket.socket()
            listener.bind(("127.0.0.1", 0))
            listener.listen(16)
            print("READY %d" % listener.getsockname()[1], flush=True)
            while True:
                connection, _ = listener.accept()
                if sys.argv[1:] != ["silent"]:
                    connection.sendall(b"this is not TLS at all\r\n" * 20)
                threading.Timer(5, connection.close).start()
            """#

        /// `Grip-Link rel=gone` on a TLS origin: the POST goes over TLS too.
        @Test func goneLinkIsPostedOverTLS() throws {
            let certificates = try TestCertificates()
            let origin = try TLSOrigin(certificates)
            defer { origin.stop() }
            try withPushpind(Self.setup("* 127.0.0.1:\(origin.port),ssl\n", trusting: certificates)) { pushpind in
                let subscriber = try StreamSubscriber(
                    port: pushpind.clientPort, target: "/stream?ch=g&gone=1", headers: [("Host", "localhost")])
                #expect(try subscriber.read(expecting: "stream start\n") == "stream start\n")
                try pushpind.waitForHeld(stream: 1)
                subscriber.close()
                let posts = eventually { () -> String? in
                    let count = try? Self.get(pushpind, "/gone-count", host: "localhost").bodyText
                    return count == "0" ? nil : count
                }
                #expect(posts == "1")
                #expect(try Self.tlsErrors(pushpind) == 0)
            }
        }

        /// A WebSocket route to an `ssl` target: passthrough over wss, and WebSocket-over-HTTP
        /// events posted over https.
        @Test func webSocketsReachTLSOrigins() throws {
            let certificates = try TestCertificates()
            let origin = try TLSOrigin(certificates)
            defer { origin.stop() }
            let webSocketOrigin = try TLSWebSocketOrigin(certificates)
            defer { webSocketOrigin.stop() }
            let routes = "wss.test 127.0.0.1:\(webSocketOrigin.port),ssl,trust_connect_host\nwoh.test 127.0.0.1:\(origin.port),ssl,trust_connect_host,over_http\n"
            try withPushpind(Self.setup(routes, trusting: certificates)) { pushpind in
                let passthrough = try WebSocketClient.connect(port: pushpind.clientPort, "/", headers: [("Host", "wss.test")])
                try passthrough.sendText("through wss")
                #expect(try passthrough.readMessage() == .text("through wss"))
                passthrough.close()
                let overHTTP = try WebSocketClient.connect(port: pushpind.clientPort, "/", headers: [("Host", "woh.test")])
                try overHTTP.sendText("through https events")
                #expect(try overHTTP.readMessage() == .text("through https events"))
                overHTTP.close()
                #expect(try Self.tlsErrors(pushpind) == 0)
            }
        }

        /// A connection the origin closed is replaced by one that resumes its TLS session.
        @Test func aNewConnectionResumesTheSession() throws {
            let certificates = try TestCertificates()
            let origin = try TLSOrigin(certificates)
            defer { origin.stop() }
            var setup = Self.setup("* 127.0.0.1:\(origin.port),ssl\n", trusting: certificates)
            setup.shards = 1
            try withPushpind(setup) { pushpind in
                let first = try Self.get(pushpind, "/close", host: "localhost")
                #expect(first.header("X-Resumed") == "no")
                let second = try Self.get(pushpind, "/hello", host: "localhost")
                #expect(second.header("X-Connections") == "2")
                #expect(second.header("X-Resumed") == "yes")
            }
        }

        /// Requests one after another share one TLS connection to the origin; a request for
        /// another name (verified for another name) does not take it.
        @Test func keepAliveReusesTheTLSConnection() throws {
            let certificates = try TestCertificates()
            let origin = try TLSOrigin(certificates)
            defer { origin.stop() }
            var setup = Self.setup("* 127.0.0.1:\(origin.port),ssl,insecure\n", trusting: nil)
            setup.shards = 1
            try withPushpind(setup) { pushpind in
                for round in 1...3 {
                    let response = try Self.get(pushpind, "/hello", host: "localhost")
                    #expect(response.status == 200)
                    #expect(response.header("X-Connections") == "1", "round \(round)")
                }
                let other = try Self.get(pushpind, "/hello", host: "other.test")
                #expect(other.header("X-Connections") == "2")
                #expect(other.header("X-SNI") == "other.test")
                #expect(try Self.get(pushpind, "/hello", host: "localhost").header("X-Connections") == "2")
            }
        }
    }
}
