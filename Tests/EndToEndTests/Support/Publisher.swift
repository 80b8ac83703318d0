import Foundation

/// Publish items as the control API takes them (`{"items":[…]}`), built as JSON objects
/// and serialised with JSONSerialization so content with quotes or newlines stays valid.
enum PublishJSON {
    /// An `http-stream` send: `content` appended to every stream held on `channel`.
    static func stream(_ channel: String, _ content: String) -> [String: Any] {
        ["channel": channel, "formats": ["http-stream": ["content": content]]]
    }

    /// An `http-stream` close: ends every stream held on `channel`.
    static func streamClose(_ channel: String) -> [String: Any] {
        ["channel": channel, "formats": ["http-stream": ["action": "close"]]]
    }

    /// An `http-response`: the final response of every long-poll held on `channel`.
    static func response(_ channel: String, code: Int = 200, headers: [String: String] = ["Content-Type": "text/plain"], body: String) -> [String: Any] {
        ["channel": channel, "formats": ["http-response": ["code": code, "headers": headers, "body": body]]]
    }

    /// The request body `{"items":[…]}`.
    static func envelope(_ items: [[String: Any]]) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: ["items": items], options: [.sortedKeys]))
    }
}

/// Talks to the control port's publish API. Static and port-based so a background thread
/// can publish while the test thread reads subscribers.
enum Publisher {
    /// Sends `body` as `method /publish/` on a fresh connection and reads the answer.
    static func send(
        port: UInt16, body: [UInt8], method: String = "POST", path: String = "/publish/",
        headers: [(String, String)] = [], timeout: Duration = .seconds(10)
    ) throws -> HTTPResponse {
        let client = try RawHTTPClient(port: port, timeout: timeout)
        defer { client.close() }
        var all = [("Host", "127.0.0.1"), ("Content-Type", "application/json")] + headers
        if body.isEmpty && method == "POST" { all.append(("Content-Length", "0")) }
        return try client.request(HTTPRequest(method, path, headers: all, body: body), timeout: timeout)
    }

    /// Publishes `items` and throws unless the API answers 200.
    static func publish(port: UInt16, _ items: [[String: Any]], headers: [(String, String)] = []) throws {
        let response = try send(port: port, body: try PublishJSON.envelope(items), headers: headers)
        guard response.status == 200 else {
            throw HarnessError.setup("publish answered \(response.status): \(response.bodyText.prefix(300).debugDescription)")
        }
    }
}

extension PushpindProcess {
    /// Publishes `items` on this process's control port; throws unless it answers 200.
    func publish(_ items: [[String: Any]], headers: [(String, String)] = []) throws {
        try Publisher.publish(port: controlPort, items, headers: headers)
    }

    /// Publishes one item.
    func publish(_ item: [String: Any], headers: [(String, String)] = []) throws {
        try publish([item], headers: headers)
    }

    /// `POST /publish/` with any body, answer returned whatever its status.
    func publishRaw(_ body: String, method: String = "POST", headers: [(String, String)] = []) throws -> HTTPResponse {
        try Publisher.send(port: controlPort, body: Array(body.utf8), method: method, headers: headers)
    }

    /// Waits until `/metrics` shows exactly these numbers of held connections in total (a
    /// nil count is not checked). Publishing before the holds are registered would race
    /// the subscription, in pushpind as in Pushpin, so every GRIP test waits here first.
    func waitForHeld(stream: Int? = nil, response: Int? = nil, timeout: Duration = .seconds(10)) throws {
        var last = (stream: -1.0, response: -1.0)
        let reached = try eventually(timeout: timeout) { () throws -> Bool? in
            let metrics = try metrics()
            last = (metrics.total("pushpind_held_connections", ["kind": "stream"]),
                    metrics.total("pushpind_held_connections", ["kind": "response"]))
            let streamOK = stream.map { Double($0) == last.stream } ?? true
            let responseOK = response.map { Double($0) == last.response } ?? true
            return streamOK && responseOK ? true : nil
        }
        guard reached == true else {
            throw HarnessError.timedOut("""
                waiting for held connections stream=\(stream.map(String.init) ?? "any") response=\(response.map(String.init) ?? "any") \
                (/metrics shows stream=\(last.stream) response=\(last.response))
                """)
        }
    }

    /// Held stream connections per shard ("0", "1", …) as `/metrics` shows them now.
    func heldStreamsPerShard(shards: Int) throws -> [Double] {
        let metrics = try metrics()
        return (0..<shards).map { metrics.value("pushpind_held_connections", ["shard": String($0), "kind": "stream"]) ?? 0 }
    }
}
