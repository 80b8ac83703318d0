import ArgumentParser
import CZmq
import Foundation
import IOUring
import Wire

/// `pushpind publish CHANNEL [CONTENT]`: one item to a running pushpind (or Pushpin), as
/// `pushpin-publish` sends it: over HTTP to the control API by default, or into the PULL
/// input with a `tcp://`/`ipc://` spec.
struct PublishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish", abstract: "Publish one item, like pushpin-publish.")

    @Argument(help: "Channel to publish to.") var channel: String
    @Argument(help: "Content for every format (HTTP formats get a trailing newline).") var content: String = ""
    @Option(name: .long, help: "Item id.") var id: String?
    @Option(name: .customLong("prev-id"), help: "Previous item id.") var prevID: String?
    @Option(name: .long, help: "meta.sender.") var sender: String?
    @Option(name: .long, help: "http-response status code.") var code: Int?
    @Flag(name: .long, help: "Send action hint in every format.") var hint = false
    @Flag(name: .long, help: "Close streams and WebSockets (action close).") var close = false
    @Flag(name: .customLong("no-eol"), help: "No trailing newline on HTTP content.") var noEOL = false
    @Option(name: .long, help: "http://… control API, or a ZeroMQ PUSH spec (tcp://…, ipc://…).") var spec: String?
    // Not --config: the server's own option of that name takes it before the subcommand sees it.
    @Option(name: .customLong("config-file"), help: "pushpin.conf whose control address to use.") var config: String?

    func run() throws {
        let item = makeItem()
        let target = try resolvedSpec()
        if target.hasPrefix("http://") {
            try publishHTTP(item, to: target)
        } else {
            try publishZeroMQ(item, to: target)
        }
        print("Published")
    }

    func makeItem() -> JSONValue {
        let eol = noEOL ? "" : "\n"
        var formats = JSONObject()
        if hint {
            for name in ["http-response", "http-stream", "ws-message"] { formats[name] = .object(JSONObject([("action", .string("hint"))])) }
        } else if close {
            formats["http-stream"] = .object(JSONObject([("action", .string("close"))]))
            formats["ws-message"] = .object(JSONObject([("action", .string("close"))]))
        } else {
            var response = JSONObject([("body", .string(content + eol))])
            if let code { response["code"] = .int(code) }
            formats["http-response"] = .object(response)
            formats["http-stream"] = .object(JSONObject([("content", .string(content + eol))]))
            formats["ws-message"] = .object(JSONObject([("content", .string(content))]))
        }
        var item = JSONObject([("channel", .string(channel))])
        if let id { item["id"] = .string(id) }
        if let prevID { item["prev-id"] = .string(prevID) }
        if let sender { item["meta"] = .object(JSONObject([("sender", .string(sender))])) }
        item["formats"] = .object(formats)
        return .object(item)
    }

    /// `--spec`, else the control address of `--config-file`, else `$GRIP_URL`, else localhost:5561.
    private func resolvedSpec() throws -> String {
        if let spec { return spec }
        if let config {
            let address = try ProxyConfig.load(path: config).config.controlAddress
            let host = address.host.contains(":") ? "[\(address.host)]" : address.host
            return "http://\(host):\(address.port)"
        }
        return ProcessInfo.processInfo.environment["GRIP_URL"] ?? "http://localhost:5561"
    }

    private func publishHTTP(_ item: JSONValue, to url: String) throws {
        var rest = url.dropFirst("http://".count)
        let path = rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? ""
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        var host = String(rest)
        var port = 80
        if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]"), let number = Int(host[host.index(after: colon)...]) {
            port = number
            host = String(host[..<colon])
        }
        host = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let body = Array(JSONValue.object(JSONObject([("items", .array([item]))])).serialized.utf8)
        let base = path.hasSuffix("/") ? String(path.dropLast()) : path
        var request = Array("POST \(base)/publish/ HTTP/1.0\r\nHost: \(host)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
        request += body
        let response = try BlockingHTTP.exchange(request, host: host, port: port)
        let text = String(decoding: response, as: UTF8.self)
        let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        guard status == 200 else {
            let answer = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? text
            throw PublishFailure("publish failed (\(status)): \(answer.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

    private func publishZeroMQ(_ item: JSONValue, to endpoint: String) throws {
        guard let context = zmq_ctx_new() else { throw PublishFailure("zmq_ctx_new failed") }
        defer { zmq_ctx_term(context) }
        guard let socket = zmq_socket(context, ZMQ_PUSH) else { throw PublishFailure("zmq_socket failed") }
        defer { zmq_close(socket) }
        var linger: Int32 = 5000
        zmq_setsockopt(socket, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
        guard zmq_connect(socket, endpoint) == 0 else {
            throw PublishFailure("cannot connect to \(endpoint): \(String(cString: zmq_strerror(zmq_errno())))")
        }
        let frame = TnetstringEncoder.encode(TnetValue(item))
        let sent = frame.withUnsafeBytes { zmq_send(socket, $0.baseAddress, $0.count, 0) }
        guard sent >= 0 else { throw PublishFailure("send failed: \(String(cString: zmq_strerror(zmq_errno())))") }
    }
}

/// One request on a fresh blocking TCP connection; returns everything the server sends
/// until it closes (the control API always closes after answering).
enum BlockingHTTP {
    static func exchange(_ request: [UInt8], host: String, port: Int) throws -> [UInt8] {
        guard let address = SocketAddress.resolve(host: host, port: port).first else {
            throw PublishFailure("cannot resolve \(host)")
        }
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw PublishFailure("socket: errno \(errno)") }
        defer { Glibc.close(fd) }
        var storage = address.storage
        let connected = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, address.length) }
        }
        guard connected == 0 else { throw PublishFailure("cannot connect to \(host):\(port): errno \(errno)") }
        var offset = 0
        while offset < request.count {
            let written = request[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else { throw PublishFailure("write failed: errno \(errno)") }
            offset += written
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while response.count < 1_000_000 {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            response += buffer[..<count]
        }
        return response
    }
}

/// Why publishing failed; printed as `Error: …` with exit status 1 (no usage text).
struct PublishFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
