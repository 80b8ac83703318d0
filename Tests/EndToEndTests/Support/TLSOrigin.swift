import Foundation

/// A test CA and what the TLS backend tests sign with it, made by `openssl` in a temp dir:
/// a server certificate for `localhost` and 127.0.0.1, and a client certificate (CN
/// `pushpind-client`). Nothing else trusts the CA: pushpind does only when its
/// `SSL_CERT_FILE` names `caFile`, as an operator would point OpenSSL at a private CA.
final class TestCertificates {
    let sandbox: Sandbox
    var caFile: String { sandbox.path("ca.crt") }
    var serverCert: String { sandbox.path("server.crt") }
    var serverKey: String { sandbox.path("server.key") }
    var clientCert: String { sandbox.path("client.crt") }
    var clientKey: String { sandbox.path("client.key") }

    init() throws {
        sandbox = try Sandbox()
        do {
            _ = try PythonProcess.run(Self.script, arguments: [sandbox.root])
        } catch {
            sandbox.remove()
            throw error
        }
    }

    deinit { sandbox.remove() }

    private static let script = #"""
        import subprocess, sys
        d = sys.argv[1]
        def openssl(*args):
            subprocess.run(["openssl", *args], check=True, cwd=d, capture_output=True)
        key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        openssl("req", "-x509", *key, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
                "-subj", "/CN=pushpind test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        for name, cn, ext in [
            ("server", "localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"),
            ("client", "pushpind-client", "extendedKeyUsage=clientAuth\n"),
        ]:
            with open(f"{d}/{name}.ext", "w") as f:
                f.write("basicConstraints=CA:FALSE\n" + ext)
            openssl("req", *key, "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={cn}")
            openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                    "-CAcreateserial", "-out", f"{name}.crt", "-days", "2", "-extfile", f"{name}.ext")
        """#
}

/// An HTTPS origin on Python's `http.server` and `ssl` (TLS 1.2+), HTTP/1.1 keep-alive,
/// optionally requiring a client certificate from the test CA. Every answer says what the
/// origin saw: `X-Connections` (TLS connections accepted so far), `X-SNI` (the server name
/// of this connection), `X-Client-CN` (the client certificate's CN, or `none`) and `X-Resumed`
/// (whether its handshake resumed a session). `GET /close` closes the connection after answering.
/// `GET /stream?ch=C` answers a GRIP stream hold on channel C (with `&gone=1`, a
/// `Grip-Link` gone link to `/gone`, whose POSTs `GET /gone-count` counts); `GET /paged?ch=C`
/// answers `page over tls` and a next link to that stream hold, no hold; `GET /big?n=N` N bytes
/// of `i % 251`, and `POST /upload` checks a body of that pattern; any other POST of
/// WebSocket-over-HTTP events is echoed (OPEN accepted); anything else `hello over tls`.
final class TLSOrigin {
    let process: PythonProcess
    let port: UInt16

    init(_ certificates: TestCertificates, requireClientCertificate: Bool = false) throws {
        var arguments = [certificates.serverCert, certificates.serverKey]
        if requireClientCertificate { arguments.append(certificates.caFile) }
        process = try PythonProcess(script: Self.script, arguments: arguments)
        port = try process.waitForReadyPort()
    }

    func stop() { process.stop() }

    private static let script = #"""
        import ssl, sys, threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import urlparse, parse_qs

        lock = threading.Lock()
        connections = 0
        gone_posts = 0

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                global connections
                super().setup()
                with lock:
                    connections += 1

            def do_GET(self):
                url = urlparse(self.path)
                peer = self.connection.getpeercert() or {}
                cn = dict(x[0] for x in peer.get("subject", ())).get("commonName", "none")
                headers = [("X-Connections", str(connections)),
                           ("X-SNI", getattr(self.connection, "sni", None) or "none"), ("X-Client-CN", cn),
                           ("X-Resumed", "yes" if self.connection.session_reused else "no")]
                if url.path == "/close":
                    self.close_connection = True
                    headers.append(("Connection", "close"))
                if url.path == "/stream":
                    query = parse_qs(url.query)
                    headers += [("Content-Type", "text/plain"), ("Grip-Hold", "stream"),
                                ("Grip-Channel", query.get("ch", ["tls"])[0])]
                    if "gone" in query:
                        headers.append(("Grip-Link", "</gone>; rel=gone"))
                    body = b"stream start\n"
                elif url.path == "/paged":
                    channel = parse_qs(url.query).get("ch", ["tls"])[0]
                    headers.append(("Grip-Link", "</stream?ch=%s>; rel=next" % channel))
                    body = b"page over tls\n"
                elif url.path == "/big":
                    body = bytes(i % 251 for i in range(int(parse_qs(url.query)["n"][0])))
                elif url.path == "/gone-count":
                    body = str(gone_posts).encode()
                else:
                    body = b"hello over tls\n"
                self.answer(headers, body)

            def do_POST(self):
                global gone_posts
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path == "/gone":
                    with lock:
                        gone_posts += 1
                    self.answer([], b"")
                    return
                if self.path == "/upload":
                    expected = bytes(i % 251 for i in range(len(body)))
                    self.answer([], b"received %d %s\n" % (len(body), b"intact" if body == expected else b"corrupt"))
                    return
                # WebSocket-over-HTTP: accept the OPEN, echo every other event.
                self.answer([("Content-Type", "application/websocket-events")], body)

            def answer(self, headers, body):
                self.send_response(200)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(sys.argv[1], sys.argv[2])
        if len(sys.argv) > 3:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(sys.argv[3])
        def remember_sni(sock, name, _):
            sock.sni = name
        context.sni_callback = remember_sni

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        server.socket = context.wrap_socket(server.socket, server_side=True)
        print("READY %d" % server.server_address[1], flush=True)
        server.serve_forever()
        """#
}

/// A WebSocket echo server over TLS on the `websockets` library (certificate from the test
/// CA): what a `wss` target reaches. Prints `READY <port>` once listening on 127.0.0.1.
final class TLSWebSocketOrigin {
    let process: PythonProcess
    let port: UInt16

    init(_ certificates: TestCertificates) throws {
        guard PythonProcess.hasModule("websockets") else {
            throw HarnessError.setup("the Python module websockets is missing (scripts/setup.sh installs it)")
        }
        process = try PythonProcess(script: Self.script, arguments: [certificates.serverCert, certificates.serverKey])
        port = try process.waitForReadyPort()
    }

    func stop() { process.stop() }

    private static let script = #"""
        import asyncio, ssl, sys
        try:
            from websockets.asyncio.server import serve
        except ImportError:
            from websockets import serve

        async def echo(ws):
            async for message in ws:
                await ws.send(message)

        async def main():
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(sys.argv[1], sys.argv[2])
            async with serve(echo, "127.0.0.1", 0, ssl=context, compression=None) as server:
                sockets = getattr(server, "sockets", None) or server.server.sockets
                print("READY %d" % sockets[0].getsockname()[1], flush=True)
                await asyncio.Future()

        asyncio.run(main())
        """#
}
