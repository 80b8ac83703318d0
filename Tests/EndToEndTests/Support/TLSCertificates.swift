import Foundation

/// Self-signed certificates made with the `openssl` command for one test: each is its own
/// CA (the `req -x509` default), so a client trusts exactly the set it is given.
struct TLSCertificate {
    let certificate: String
    let key: String

    /// A fresh P-256 key and a certificate for `commonName` (also its subjectAltName),
    /// with `organization` to tell two certificates for one name apart.
    static func make(commonName: String, organization: String = "pushpind tests") throws -> TLSCertificate {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let (certificate, key) = (sandbox.path("c.pem"), sandbox.path("k.pem"))
        let output = sandbox.path("openssl.txt")
        let pid = try ChildProcess.spawn([
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key, "-out", certificate, "-days", "2", "-subj", "/CN=\(commonName)/O=\(organization)",
            "-addext", "subjectAltName=DNS:\(commonName)",
        ], outputPath: output)
        var status: Int32 = 0
        guard waitpid(pid, &status, 0) == pid, status == 0 else {
            throw HarnessError.setup("openssl req failed: \((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")")
        }
        return TLSCertificate(
            certificate: try String(contentsOfFile: certificate, encoding: .utf8), key: try String(contentsOfFile: key, encoding: .utf8))
    }

    /// The pair as pushpind finds it: `runner/certs/<name>.crt` and `.key` beside pushpin.conf.
    func files(named name: String) -> [(path: String, text: String)] {
        [("runner/certs/\(name).crt", certificate), ("runner/certs/\(name).key", key)]
    }
}

/// TLS clients in Python (`ssl`), one command per run, printing one JSON object per line.
enum TLSClientScript {
    /// `python3 -c script COMMAND PORT CAFILE ARGS…`:
    /// - `probe PORT CAFILE SNI…` (`-` for no SNI): per name, the certificate's CN and O, the
    ///   version, ALPN, and the status and body of `GET /echo` on that connection.
    /// - `resume PORT CAFILE SNI`: two connections, the second offering the first's session.
    /// - `stream PORT CAFILE SNI PATH`: `GET PATH`, then every piece of body as it arrives.
    /// - `ws PORT CAFILE SNI PATH`: a WebSocket over TLS; sends `hello`, prints every message.
    /// - `keepalive PORT CAFILE SNI SECONDS`: one connection, `GET /echo` now and again after
    ///   SECONDS (a certificate reload in between must not drop it).
    /// - `tls12 PORT CAFILE SNI PATH`: one TLS 1.2 connection: `GET /echo` twice (the version,
    ///   status and body of each), then as `stream`.
    static let script = #"""
import json, socket, ssl, sys, time

command, port, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
args = sys.argv[4:]

def context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.load_verify_locations(cafile)
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx

def connect(ctx, sni, session=None):
    raw = socket.create_connection(("127.0.0.1", port), timeout=20)
    return ctx.wrap_socket(raw, server_hostname=None if sni == "-" else sni, session=session)

def subject(conn):
    fields = dict(item[0] for item in conn.getpeercert()["subject"])
    return fields.get("commonName"), fields.get("organizationName")

def read_head(conn, buffer):
    while b"\r\n\r\n" not in buffer:
        data = conn.recv(65536)
        if not data:
            raise EOFError("closed before the head")
        buffer += data
    head, rest = buffer.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, value = line.split(":", 1)
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split(" ")[1]), headers, rest

def get(conn, path):
    conn.sendall(("GET %s HTTP/1.1\r\nHost: example.test\r\n\r\n" % path).encode())
    status, headers, body = read_head(conn, b"")
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        data = conn.recv(65536)
        if not data:
            break
        body += data
    return status, body.decode("utf-8", "replace")

def emit(**fields):
    print(json.dumps(fields), flush=True)

def stream(conn, path):
    conn.sendall(("GET %s HTTP/1.1\r\nHost: example.test\r\n\r\n" % path).encode())
    status, headers, rest = read_head(conn, b"")
    emit(status=status)
    if rest:
        emit(data=rest.decode("latin-1"))
    deadline = time.time() + 30
    while time.time() < deadline:
        data = conn.recv(65536)
        if not data:
            break
        emit(data=data.decode("latin-1"))
    emit(end=True)

if command == "probe":
    ctx = context()
    for sni in args:
        try:
            conn = connect(ctx, sni)
        except (ssl.SSLError, OSError) as error:
            emit(sni=sni, error=type(error).__name__)
            continue
        cn, org = subject(conn)
        status, body = get(conn, "/echo")
        emit(sni=sni, cn=cn, org=org, version=conn.version(), alpn=conn.selected_alpn_protocol(), status=status, body=body)
        conn.close()
elif command == "resume":
    ctx = context()
    first = connect(ctx, args[0])
    get(first, "/echo")  # TLS 1.3 tickets arrive after the handshake, with the first records read
    session = first.session
    first.close()
    second = connect(ctx, args[0], session=session)
    status, _ = get(second, "/echo")
    emit(reused=second.session_reused, status=status)
elif command == "stream":
    stream(connect(context(), args[0]), args[1])
elif command == "tls12":
    ctx = context()
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    conn = connect(ctx, args[0])
    for _ in range(2):
        status, body = get(conn, "/echo")
        emit(version=conn.version(), status=status, body=body)
    stream(conn, args[1])
elif command == "ws":
    import websocket
    ws = websocket.create_connection("wss://127.0.0.1:%d%s" % (port, args[1]), timeout=30,
                                     sslopt={"ca_certs": cafile, "check_hostname": False, "server_hostname": args[0]})
    ws.send("hello")
    deadline = time.time() + 30
    while time.time() < deadline:
        message = ws.recv()
        emit(message=message)
        if message == "bye":
            break
    ws.close()
elif command == "keepalive":
    conn = connect(context(), args[0])
    cn, org = subject(conn)
    status, _ = get(conn, "/echo")
    emit(org=org, status=status)
    time.sleep(float(args[1]))
    status, _ = get(conn, "/echo")
    emit(org=org, status=status)
"""#

    /// Runs `command` to completion and returns its JSON lines.
    static func run(_ command: String, port: UInt16, cafile: String, _ arguments: [String]) throws -> [[String: Any]] {
        let output = try PythonProcess.run(script, arguments: [command, String(port), cafile] + arguments)
        return lines(output)
    }

    static func lines(_ output: String) -> [[String: Any]] {
        output.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("{") else { return nil }
            return (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }
}
