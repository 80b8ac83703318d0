/// The Python programs the WebSocket tests run, as strings (the test target carries no
/// resource files). Both use real WebSocket libraries, so pushpind is checked against
/// implementations that share nothing with it.
enum PythonWebSocketScripts {
    /// A WebSocket echo server on the `websockets` library: echoes every message with its
    /// type, answers pings (the library does), echoes a client's close code and reason,
    /// and closes with code N and reason R when sent the text `close N R`. The library
    /// decides every protocol error (1002, 1007, 1009 with a 1 MiB message limit, or the
    /// limit given as its argument). Prints `READY <port>` once listening on 127.0.0.1.
    static let echoServer = #"""
        import asyncio, sys
        try:
            from websockets.asyncio.server import serve
        except ImportError:
            from websockets import serve

        async def handler(ws):
            async for message in ws:
                if isinstance(message, str) and message.startswith("close "):
                    parts = message.split(" ", 2)
                    await ws.close(int(parts[1]), parts[2] if len(parts) > 2 else "")
                    return
                await ws.send(message)

        async def main():
            max_size = int(sys.argv[1]) if len(sys.argv) > 1 else 2**20
            async with serve(handler, "127.0.0.1", 0, max_size=max_size, ping_interval=None,
                             compression=None) as server:
                sockets = getattr(server, "sockets", None) or server.server.sockets
                print("READY %d" % sockets[0].getsockname()[1], flush=True)
                await asyncio.Future()

        asyncio.run(main())
        """#

    /// A client on the `websocket-client` library (argument: the ws:// URL of an echo
    /// route whose backend closes on `close N`). It prints one JSON object with what it
    /// saw: text, binary and 100 kB echoes, a pong, its own close handshake, then on a
    /// second connection the backend closing.
    static let echoClient = #"""
        import json, socket, struct, sys, websocket

        url = sys.argv[1]
        out = {}
        ws = websocket.create_connection(url, timeout=5, header=["X-Client: websocket-client"])
        out["status"] = ws.getstatus()
        ws.send("hello from python")
        out["text"] = ws.recv()
        ws.send_binary(bytes(range(256)))
        out["binary"] = ws.recv() == bytes(range(256))
        big = "é" * 50000
        ws.send(big)
        out["big"] = ws.recv() == big
        ws.ping("are you there")
        opcode, frame = ws.recv_data_frame(True)
        out["pong"] = [opcode, frame.data.decode()]
        ws.close(status=1000, reason=b"client done")
        frame = ws.close_frame
        out["client_close"] = struct.unpack("!H", frame.data[:2])[0] if frame is not None and len(frame.data) >= 2 else None

        ws = websocket.create_connection(url, timeout=5)
        ws.send("close 4000")
        opcode, frame = ws.recv_data_frame(True)
        out["backend_close"] = [opcode, struct.unpack("!H", frame.data[:2])[0], frame.data[2:].decode()]
        try:
            out["eof_after_close"] = ws.sock.recv(1) == b""
        except (socket.timeout, OSError) as error:
            out["eof_after_close"] = repr(error)
        print(json.dumps(out))
        """#
}
