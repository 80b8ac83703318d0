/// A request written by hand, byte for byte: what the tests send is exactly what the
/// builder says, with no header added behind the test's back except the two noted below.
struct HTTPRequest: Sendable {
    var method: String
    var target: String
    var version: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    /// A request with `Host: e2e.test` (HTTP/1.1 requires one; pass your own to replace it)
    /// and, when `body` is not empty and no framing header is given, a Content-Length.
    init(
        _ method: String = "GET", _ target: String, version: String = "HTTP/1.1",
        headers: [(String, String)] = [], body: [UInt8] = []
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.body = body
        var all = headers.map { (name: $0.0, value: $0.1) }
        let names = Set(all.map { $0.name.lowercased() })
        if version == "HTTP/1.1" && !names.contains("host") {
            all.insert((name: "Host", value: "e2e.test"), at: 0)
        }
        if !body.isEmpty && !names.contains("content-length") && !names.contains("transfer-encoding") {
            all.append((name: "Content-Length", value: String(body.count)))
        }
        self.headers = all
    }

    static func get(_ target: String, headers: [(String, String)] = []) -> HTTPRequest {
        HTTPRequest("GET", target, headers: headers)
    }

    /// The head alone (request line, headers, empty line).
    var headBytes: [UInt8] {
        var text = "\(method) \(target) \(version)\r\n"
        for header in headers { text += "\(header.name): \(header.value)\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }

    var bytes: [UInt8] { headBytes + body }
}

/// A whole response as the client saw it.
struct HTTPResponse: Sendable {
    let head: HTTPHead
    let body: [UInt8]
    let framing: BodyFraming
    /// Chunks seen when `framing == .chunked`.
    let chunkCount: Int

    var version: String { head.startLine.0 }
    var status: Int { Int(head.startLine.1) ?? -1 }
    var reason: String { head.startLine.2 }
    var bodyText: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? { head.value(name) }

    /// True when the response says the connection will close after it.
    var announcesClose: Bool { head.tokens("Connection").contains("close") }
}

/// Appends chunked framing around `data` (one chunk), or the last chunk when `data` is empty.
enum ChunkedEncoding {
    static func chunkHeader(size: Int) -> [UInt8] { Array("\(String(size, radix: 16))\r\n".utf8) }
    static let crlf: [UInt8] = [13, 10]
    static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)

    /// `body` split into chunks of the given sizes (cycled), then the last chunk.
    static func encode(_ body: [UInt8], chunkSizes: [Int]) -> [UInt8] {
        var out: [UInt8] = []
        var offset = 0
        var turn = 0
        while offset < body.count {
            let size = min(max(1, chunkSizes[turn % chunkSizes.count]), body.count - offset)
            out += chunkHeader(size: size) + body[offset..<(offset + size)] + crlf
            offset += size
            turn += 1
        }
        return out + lastChunk
    }
}
