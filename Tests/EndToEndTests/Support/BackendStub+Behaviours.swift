/// The stub's behaviours, chosen by request path:
///
/// | path | answer |
/// | --- | --- |
/// | `/echo` | 200 text, an `EchoReport` of the request (method, target, headers, body length and checksum) |
/// | `/bytes?n=N`, `/download?n=N` | 200, N pattern bytes with Content-Length, generated while sent |
/// | `/chunked?n=N` | 200, N pattern bytes chunked, in chunks of varied sizes |
/// | `/close-delimited?n=N` | 200, N pattern bytes, no length, then close |
/// | `/upload` | 200 text `length N` / `checksum X` of the (streamed) request body |
/// | `/slow?ms=M&n=N` | waits M ms, then like `/bytes` (N defaults to 16) |
/// | `/reset` | no answer: closes with RST |
/// | `/status?code=C` | status C, reason `Stub Reason`, plus hop-by-hop headers (Keep-Alive, Proxy-Stub, one named by Connection) that must not reach the client |
/// | `/grip/…` | GRIP instructions (stream and response holds, JSON instruct), see `BackendStub+Grip.swift` |
/// | anything else | 404 |
extension BackendStub {
    enum ConnectionEnd {
        case keepOpen
        case close
        case reset
    }

    /// Longest `/slow` will wait, whatever it is asked.
    static let slowMax: Duration = .seconds(30)

    func respond(to request: RecordedRequest, on connection: TCPSocket) throws -> ConnectionEnd {
        let deadline = Deadline(in: .seconds(120))
        let wantsClose = request.head.tokens("Connection").contains("close")
            || (request.version == "HTTP/1.0" && !request.head.tokens("Connection").contains("keep-alive"))
        let end: ConnectionEnd = wantsClose ? .close : .keepOpen
        var extra: [(String, String)] = wantsClose ? [("Connection", "close")] : []
        let count = request.queryInt("n") ?? 16
        if let answer = script?(request) {
            try sendText(answer.body, status: answer.status, reason: "Scripted", headers: answer.headers + extra, on: connection, deadline)
            return end
        }

        switch request.path {
        case "/echo":
            try sendText(EchoReport.render(request, stubName: name), headers: extra, on: connection, deadline)
        case "/bytes", "/download":
            try sendPattern(count: count, headers: extra, on: connection, deadline)
        case "/chunked":
            try sendChunkedPattern(count: count, headers: extra, on: connection, deadline)
        case "/close-delimited":
            try sendHead(200, "OK", [("Content-Type", "application/octet-stream"), ("Connection", "close")], on: connection, deadline)
            try BodyPattern.forEachPiece(offset: 0, count: count) { (piece) throws in
                try connection.send(piece, deadline: deadline)
            }
            connection.shutdownWrite()
            return .close
        case "/upload":
            let text = "length \(request.bodyLength)\nchecksum \(StreamChecksum.hex(request.bodyChecksum))\n"
            try sendText(text, headers: extra, on: connection, deadline)
        case "/slow":
            let waitMs = min(request.queryInt("ms") ?? 1000, 30_000)
            let wake = Deadline(in: .milliseconds(waitMs))
            while !wake.hasPassed && !isStopping { pause(.milliseconds(5)) }
            try sendPattern(count: count, headers: extra, on: connection, deadline)
        case "/reset":
            return .reset
        case let path where path.hasPrefix("/grip/"):
            try respondGrip(to: request, headers: extra, on: connection, deadline)
        case "/status":
            let code = request.queryInt("code") ?? 200
            extra += [
                ("X-Stub-Header", "kept"), ("Keep-Alive", "timeout=5, max=100"), ("Proxy-Stub", "dropped"),
                ("Connection", "X-Stub-Private"), ("X-Stub-Private", "named by Connection, dropped"),
            ]
            try sendText("status \(code)\n", status: code, reason: "Stub Reason", headers: extra, on: connection, deadline)
        default:
            try sendText("no such stub path\n", status: 404, reason: "Not Found", headers: extra, on: connection, deadline)
        }
        return end
    }

    func sendHead(
        _ status: Int, _ reason: String, _ headers: [(String, String)], on connection: TCPSocket, _ deadline: Deadline
    ) throws {
        var text = "HTTP/1.1 \(status) \(reason)\r\nX-Stub-Name: \(name)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        try connection.send(Array((text + "\r\n").utf8), deadline: deadline)
    }

    /// A text answer with its Content-Length; `headOnly` (a HEAD request) sends no body.
    func sendText(
        _ text: String, status: Int = 200, reason: String = "OK", headers: [(String, String)],
        on connection: TCPSocket, _ deadline: Deadline, headOnly: Bool = false
    ) throws {
        let body = Array(text.utf8)
        let all = [("Content-Type", "text/plain"), ("Content-Length", String(body.count))] + headers
        try sendHead(status, reason, all, on: connection, deadline)
        if !headOnly { try connection.send(body, deadline: deadline) }
    }

    private func sendPattern(count: Int, headers: [(String, String)], on connection: TCPSocket, _ deadline: Deadline) throws {
        let all = [("Content-Type", "application/octet-stream"), ("Content-Length", String(count))] + headers
        try sendHead(200, "OK", all, on: connection, deadline)
        try BodyPattern.forEachPiece(offset: 0, count: count) { (piece) throws in
            try connection.send(piece, deadline: deadline)
        }
    }

    /// Chunk sizes cycle through small and large so a proxy that re-frames has to cope
    /// with one-byte chunks as well as ones bigger than its buffers.
    static let chunkSizes = [1000, 1, 4096, 17, 65_536, 300]

    private func sendChunkedPattern(count: Int, headers: [(String, String)], on connection: TCPSocket, _ deadline: Deadline) throws {
        let all = [("Content-Type", "application/octet-stream"), ("Transfer-Encoding", "chunked")] + headers
        try sendHead(200, "OK", all, on: connection, deadline)
        var offset = 0
        var turn = 0
        while offset < count {
            let size = min(Self.chunkSizes[turn % Self.chunkSizes.count], count - offset)
            try connection.send(ChunkedEncoding.chunkHeader(size: size), deadline: deadline)
            try BodyPattern.forEachPiece(offset: offset, count: size) { (piece) throws in
                try connection.send(piece, deadline: deadline)
            }
            try connection.send(ChunkedEncoding.crlf, deadline: deadline)
            offset += size
            turn += 1
        }
        try connection.send(ChunkedEncoding.lastChunk, deadline: deadline)
    }
}

extension RecordedRequest {
    func query(_ name: String) -> String? { queryValue(name, inTarget: target) }

    func queryInt(_ name: String) -> Int? { query(name).flatMap { Int($0) } }
}

/// The first value of query parameter `name` in a request target (no percent-decoding: the
/// tests use plain values).
func queryValue(_ name: String, inTarget target: String) -> String? {
    guard let mark = target.firstIndex(of: "?") else { return nil }
    for pair in target[target.index(after: mark)...].split(separator: "&") {
        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.first.map(String.init) == name { return parts.count > 1 ? String(parts[1]) : "" }
    }
    return nil
}
