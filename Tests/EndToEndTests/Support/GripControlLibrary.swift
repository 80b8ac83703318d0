import Testing

/// Fanout's official Python GRIP library (`gripcontrol` on PyPI) as a real backend and
/// publisher would use it. `scripts/setup.sh` installs it (see `PythonModules`).
enum GripControlLibrary {
    static func ensureInstalled(sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        PythonModules.ensureInstalled(["gripcontrol": "gripcontrol"], sourceLocation: sourceLocation)
    }

    /// A backend on a free port (announced as `READY <port>`): `/stream` answers a stream hold on channel `pystream` in the
    /// header form (`create_grip_channel_header`), `/poll` a long-poll on `pypoll` as a JSON
    /// instruct (`create_hold_response`). Each answer says in `X-Grip-Sig-Valid` whether
    /// the library's `validate_sig` accepted the request's Grip-Sig (key `changeme`).
    static let backend = #"""
        import http.server
        from gripcontrol import create_grip_channel_header, create_hold_response, validate_sig, Response

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                valid = validate_sig(self.headers.get("Grip-Sig", ""), "changeme", "pushpin")
                if self.path.startswith("/stream"):
                    body = b"py stream\n"
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Grip-Hold", "stream")
                    self.send_header("Grip-Channel", create_grip_channel_header("pystream"))
                elif self.path.startswith("/poll"):
                    timeout = Response(code=200, headers={"Content-Type": "text/plain"}, body="py timeout\n")
                    body = create_hold_response("pypoll", timeout, timeout=30).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/grip-instruct")
                else:
                    body = b"not found\n"
                    self.send_response(404)
                    self.send_header("Content-Type", "text/plain")
                self.send_header("X-Grip-Sig-Valid", "yes" if valid else "no")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        print("READY %d" % server.server_address[1], flush=True)
        server.serve_forever()
        """#

    /// Publishes with `GripPubControl` to the control port `argv[1]`: `from python\n` on
    /// `pystream` (HttpStreamFormat) and a 200 `py done\n` on `pypoll` (HttpResponseFormat).
    /// With `argv[2]` (a key) the library signs an `Authorization: Bearer` JWT with it.
    static let publisher = #"""
        import sys
        from gripcontrol import GripPubControl, HttpStreamFormat, HttpResponseFormat

        config = {"control_uri": "http://127.0.0.1:%s" % sys.argv[1]}
        if len(sys.argv) > 2:
            config["control_iss"] = "e2e"
            config["key"] = sys.argv[2]
        pub = GripPubControl(config)
        pub.publish_http_stream("pystream", HttpStreamFormat("from python\n"), blocking=True)
        pub.publish_http_response(
            "pypoll", HttpResponseFormat(code=200, headers={"Content-Type": "text/plain"}, body="py done\n"), blocking=True)
        print("published")
        """#
}
