#!/usr/bin/env python3
"""A minimal WebSocket-over-HTTP backend for the WebSocket fan-out benchmark.

Accepts every connection (OPEN) and subscribes it, with a GRIP control message, to the
channel named by the request's ?channel= query. Other events are acknowledged with an
empty body. Usage: woh-backend.py PORT
"""
import http.server
import json
import sys
import urllib.parse


def event(kind, content=None):
    if content is None:
        return kind.encode() + b"\r\n"
    return kind.encode() + b" " + format(len(content), "x").encode() + b"\r\n" + content + b"\r\n"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        out = b""
        if body.startswith(b"OPEN\r\n"):
            query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
            channel = query.get("channel", ["test"])[0]
            control = json.dumps({"type": "subscribe", "channel": channel}, separators=(",", ":")).encode()
            out = event("OPEN") + event("TEXT", b"c:" + control)
        self.send_response(200)
        self.send_header("Content-Type", "application/websocket-events")
        self.send_header("Sec-WebSocket-Extensions", "grip")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 4096
    daemon_threads = True


Server(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
