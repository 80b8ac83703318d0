import Wire

/// The built-in `test` route target: what a fresh install answers before any route is set
/// up, including GRIP holds, so push can be tried with one curl and one publish.
enum TestHandler {
    enum Answer {
        case response(status: Int, body: String)
        case instruction(GripInstruction)
    }

    static let welcome = """
        Hello from pushpind!

        pushpind is a Pushpin-compatible realtime reverse proxy: it forwards requests to your
        backend and holds connections open (HTTP streaming, long-polling, WebSocket) when the
        backend answers with GRIP instructions; publishes on the control port (5561) push data
        into those connections.

        This page comes from the built-in test handler, which every request reaches while the
        routes file says `* test` (or when no configuration is given). Try push right here:

            curl http://localhost:7999/stream
            curl -d '{"items":[{"channel":"test","formats":{"http-stream":{"content":"hello\\n"}}}]}' \\
                http://localhost:5561/publish/

        /response holds a long-poll instead; both take ?channel=NAME (default: test).
        To proxy to your own backend, put a line like this in the routes file and send SIGHUP:

            * localhost:8080

        Configuration: pushpind --config /etc/pushpin/pushpin.conf (same files as Pushpin).
        Metrics: curl http://127.0.0.1:5561/metrics

        """

    /// `path` has the route's `path_beg` already removed.
    static func answer(method: String, path: String, query: String, subscriptionMax: Int) -> Answer {
        switch path {
        case "/", "":
            return .response(status: 200, body: welcome)
        case "/stream":
            return .instruction(hold(.stream, body: "[stream opened]\n", query: query, subscriptionMax: subscriptionMax))
        case "/response":
            return .instruction(hold(.response, body: "nothing for now\n", query: query, subscriptionMax: subscriptionMax))
        default:
            return .response(status: 404, body: "no such test resource\n")
        }
    }

    private static func hold(_ mode: GripHoldMode, body: String, query: String, subscriptionMax: Int) -> GripInstruction {
        var channels = QueryString.values(of: "channel", in: query).filter { !$0.isEmpty }
        if channels.isEmpty { channels = ["test"] }
        let response = GripResponse(
            status: 200, reason: "OK", headers: HTTPHeaders([("Content-Type", "text/plain")]), body: Array(body.utf8))
        var instruction = GripInstruction(hold: mode, response: response)
        instruction.channels = channels.prefix(subscriptionMax).map { GripChannel(name: $0, prevID: nil, filters: []) }
        return instruction
    }
}

/// `application/x-www-form-urlencoded` query parsing, enough for the test handler.
enum QueryString {
    static func values(of name: String, in query: String) -> [String] {
        query.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard decode(parts[0]) == name else { return nil }
            return parts.count > 1 ? decode(parts[1]) : ""
        }
    }

    static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), iterator.count >= 2,
                let high = hexValue(iterator[iterator.startIndex]), let low = hexValue(iterator[iterator.startIndex + 1])
            {
                bytes.append(high << 4 | low)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
