import Foundation

/// The stub's GRIP answers: a backend that tells pushpind to hold the client connection.
/// Every answer also carries `X-Stub-Header: kept`, an ordinary header that must reach
/// the client, so a test can tell "Grip-* removed" from "all headers dropped".
///
/// | path | answer |
/// | --- | --- |
/// | `/grip/stream?ch=a,b` | 200, `Grip-Hold: stream`, `Grip-Channel: a, b`, body `stream start\n` (Content-Length) |
/// | `/grip/response?ch=a` | 200, `Grip-Hold: response`, `Grip-Channel: a`, body `timeout body\n` (what the client gets on timeout) |
/// | `/grip/instruct?mode=M&ch=a` | 200, `Content-Type: application/grip-instruct`, a JSON hold of mode M (`stream` or `response`) |
/// | `/grip/echo` | 200 whose `Grip-*` fields are the request's `X-Stub-Grip-*` fields renamed, and whose body is the request's `X-Stub-Body` with each `\n` a line break (the client picks the instructions) |
///
/// Options (query): `split=1` sends one `Grip-Channel` header per channel instead of a
/// list; `chunked=1` sends the body chunked instead of with Content-Length; `ka=1` adds `Grip-Keep-Alive: ping\n; format=cstring; timeout=1` (stream);
/// `timeout=S` adds `Grip-Timeout: S` (response, JSON instruct); `gstatus=C` adds
/// `Grip-Status: C Stub Timeout` (response); `inject=reason` or `inject=header` puts a CR LF
/// and a field of its own into the JSON instruct's response reason or a header value.
extension BackendStub {
    static let gripStreamBody = "stream start\n"
    static let gripTimeoutBody = "timeout body\n"
    static let gripInstructStreamBody = "start\n"
    static let gripInstructTimeoutBody = "instruct timeout\n"

    func respondGrip(
        to request: RecordedRequest, headers extra: [(String, String)], on connection: TCPSocket, _ deadline: Deadline
    ) throws {
        let channels = (request.query("ch") ?? "test").split(separator: ",").map(String.init)
        let kept = [("X-Stub-Header", "kept")]
        switch request.path {
        case "/grip/stream":
            var grip = [("Grip-Hold", "stream")] + Self.channelHeaders(channels, split: request.query("split") == "1")
            if request.query("ka") == "1" { grip.append(("Grip-Keep-Alive", #"ping\n; format=cstring; timeout=1"#)) }
            try sendGrip(Self.gripStreamBody, headers: kept + grip + extra, request, on: connection, deadline)
        case "/grip/response":
            var grip = [("Grip-Hold", "response")] + Self.channelHeaders(channels, split: request.query("split") == "1")
            if let timeout = request.query("timeout") { grip.append(("Grip-Timeout", timeout)) }
            if let status = request.query("gstatus") { grip.append(("Grip-Status", "\(status) Stub Timeout")) }
            try sendGrip(Self.gripTimeoutBody, headers: kept + grip + extra, request, on: connection, deadline)
        case "/grip/instruct":
            let mode = request.query("mode") ?? "stream"
            let body = try Self.instructBody(
                mode: mode, channels: channels, timeout: request.queryInt("timeout"), inject: request.query("inject"))
            let all = [("Content-Type", "application/grip-instruct"), ("Content-Length", String(body.count))] + kept + extra
            try sendHead(200, "OK", all, on: connection, deadline)
            if request.method != "HEAD" { try connection.send(body, deadline: deadline) }
        case "/grip/echo":
            let grip = request.head.headers.compactMap { field -> (String, String)? in
                guard field.name.lowercased().hasPrefix("x-stub-grip-") else { return nil }
                return ("Grip-" + field.name.dropFirst("x-stub-grip-".count), field.value)
            }
            let body = (request.head.value("X-Stub-Body") ?? "").replacingOccurrences(of: "\\n", with: "\n")
            try sendGrip(body, headers: kept + grip + extra, request, on: connection, deadline)
        default:
            try sendText("no such grip stub path\n", status: 404, reason: "Not Found", headers: extra, on: connection, deadline)
        }
    }

    /// A 200 text answer, with Content-Length or (`chunked=1`) in two chunks.
    private func sendGrip(
        _ text: String, headers: [(String, String)], _ request: RecordedRequest, on connection: TCPSocket, _ deadline: Deadline
    ) throws {
        guard request.query("chunked") == "1" else {
            try sendText(text, headers: headers, on: connection, deadline, headOnly: request.method == "HEAD")
            return
        }
        let body = Array(text.utf8)
        let all = [("Content-Type", "text/plain"), ("Transfer-Encoding", "chunked")] + headers
        try sendHead(200, "OK", all, on: connection, deadline)
        let half = body.count / 2
        try connection.send(ChunkedEncoding.encode(body, chunkSizes: [half, body.count - half]), deadline: deadline)
    }

    private static func channelHeaders(_ channels: [String], split: Bool) -> [(String, String)] {
        split ? channels.map { ("Grip-Channel", $0) } : [("Grip-Channel", channels.joined(separator: ", "))]
    }

    /// `{"hold":{"mode":…,"channels":[{"name":…}]},"response":{…}}` as the GRIP libraries write it.
    private static func instructBody(mode: String, channels: [String], timeout: Int?, inject: String? = nil) throws -> [UInt8] {
        var hold: [String: Any] = ["mode": mode, "channels": channels.map { ["name": $0] }]
        if let timeout { hold["timeout"] = timeout }
        var response: [String: Any] = mode == "stream"
            ? ["body": gripInstructStreamBody]
            : ["code": 200, "headers": ["Content-Type": "text/plain"], "body": gripInstructTimeoutBody]
        switch inject {
        case "reason": response["reason"] = "OK\r\nX-Injected: 1"
        case "header": response["headers"] = ["Content-Type": "text/plain\r\nX-Injected: 1"]
        default: break
        }
        let data = try JSONSerialization.data(withJSONObject: ["hold": hold, "response": response], options: [.sortedKeys])
        return Array(data)
    }
}
