/// One client holding a GRIP stream: it sends a GET, reads the response head, then reads
/// the chunked body piece by piece as publishes arrive. The body is compared as bytes, not
/// by chunk boundaries: pushpind may coalesce or split writes however it likes.
final class StreamSubscriber {
    let client: RawHTTPClient
    let head: HTTPHead
    /// Body bytes received so far (decoded from chunked framing).
    private(set) var body: [UInt8] = []
    /// True once the terminating chunk arrived.
    private(set) var ended = false

    var status: Int { Int(head.startLine.1) ?? -1 }
    var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// Connects to `port`, sends `GET target` and waits for the response head. A held
    /// stream must be chunked (HTTP/1.1, no length); anything else throws.
    init(port: UInt16, target: String, headers: [(String, String)] = [], timeout: Duration = .seconds(10)) throws {
        client = try RawHTTPClient(port: port)
        try client.send(.get(target, headers: headers), timeout: timeout)
        guard let bytes = try client.reader.readHead(deadline: Deadline(in: timeout)) else {
            throw HarnessError.closed("GET \(target): no response head")
        }
        head = try HTTPHead(parsing: bytes)
        guard status == 200 else {
            throw HarnessError.malformed("GET \(target) answered \(head.startLine.1) \(head.startLine.2), expected a 200 stream")
        }
        guard try head.responseFraming(requestMethod: "GET") == .chunked else {
            throw HarnessError.malformed("GET \(target): stream response not chunked: \(head.headers)")
        }
    }

    func close() { client.close() }

    /// Reads one chunk into `body`; false once the terminating chunk has been read.
    @discardableResult
    func readChunk(deadline: Deadline) throws -> Bool {
        guard !ended else { return false }
        let reader = client.reader
        let line = try reader.readLine(deadline: deadline)
        let sizeText = String(decoding: line.prefix { $0 != UInt8(ascii: ";") }, as: UTF8.self).trimmingSpaces()
        guard let size = Int(sizeText, radix: 16), size >= 0 else {
            throw HarnessError.malformed("chunk size line \(String(decoding: line, as: UTF8.self).debugDescription)")
        }
        if size == 0 {
            // Trailer fields, then the empty line that ends the message.
            for _ in 0..<100 {
                if try reader.readLine(deadline: deadline).isEmpty {
                    ended = true
                    return false
                }
            }
            throw HarnessError.malformed("more than 100 trailer lines")
        }
        try reader.readExactly(size, deadline: deadline) { body.append(contentsOf: $0) }
        guard try reader.readLine(deadline: deadline).isEmpty else { throw HarnessError.malformed("chunk not followed by CRLF") }
        return true
    }

    /// Reads until the body holds at least `count` bytes (or the stream ends).
    /// Returns the body; throws `.timedOut` when `timeout` passes first.
    @discardableResult
    func read(atLeast count: Int, timeout: Duration = .seconds(10)) throws -> [UInt8] {
        let deadline = Deadline(in: timeout)
        while body.count < count && !ended {
            try readChunk(deadline: deadline)
        }
        return body
    }

    /// Reads until the body is at least as long as `expected`, then returns the body text.
    /// For "exactly this arrived": compare the result with `expected`.
    func read(expecting expected: String, timeout: Duration = .seconds(10)) throws -> String {
        try read(atLeast: expected.utf8.count, timeout: timeout)
        return bodyText
    }

    /// Reads until the terminating chunk.
    func readToEnd(timeout: Duration = .seconds(10)) throws -> String {
        let deadline = Deadline(in: timeout)
        while try readChunk(deadline: deadline) {}
        return bodyText
    }

    /// True when nothing (no byte, no close) arrives within `timeout`: the connection is
    /// held and quiet.
    func staysQuiet(for timeout: Duration) -> Bool {
        client.peerState(within: timeout) == .open
    }
}
