/// One client connection to a port on 127.0.0.1, written to and read from by hand.
/// It keeps the connection across requests (keep-alive, pipelining) and can tell when the
/// server closed it. Every recv and send is bounded by the socket timeout, and every
/// whole-message read by a deadline.
final class RawHTTPClient {
    let port: UInt16
    let reader: MessageReader
    private var isClosed = false

    var socket: TCPSocket { reader.socket }

    /// Connects now; `timeout` bounds the connect and then each recv/send.
    init(port: UInt16, timeout: Duration = TCPSocket.defaultTimeout) throws {
        self.port = port
        reader = MessageReader(socket: try TCPSocket.connect(port: port, timeout: timeout))
    }

    deinit {
        close()
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        socket.close()
    }

    /// Changes the bound on each recv/send from now on.
    func setTimeout(_ timeout: Duration) {
        socket.setTimeout(timeout)
    }

    // MARK: - Sending

    func send(_ bytes: [UInt8], timeout: Duration = .seconds(10)) throws {
        try socket.send(bytes, deadline: Deadline(in: timeout))
    }

    func send(_ text: String, timeout: Duration = .seconds(10)) throws {
        try send(Array(text.utf8), timeout: timeout)
    }

    func send(_ request: HTTPRequest, timeout: Duration = .seconds(10)) throws {
        try send(request.bytes, timeout: timeout)
    }

    // MARK: - Receiving

    /// Reads one response, 1xx included (an interim response is returned on its own).
    /// `requestMethod` matters only for HEAD, whose response has no body.
    func readResponse(
        requestMethod: String = "GET", bodyLimit: Int = 16 << 20, timeout: Duration = .seconds(10)
    ) throws -> HTTPResponse {
        let deadline = Deadline(in: timeout)
        guard let headBytes = try reader.readHead(deadline: deadline) else {
            throw HarnessError.closed("read response (no bytes before close)")
        }
        let head = try HTTPHead(parsing: headBytes)
        guard head.startLine.0.hasPrefix("HTTP/") else { throw HarnessError.malformed("status line \(head.startLine)") }
        let framing = try head.responseFraming(requestMethod: requestMethod)
        var body: [UInt8] = []
        let chunks = try reader.readBody(framing, deadline: deadline) { (piece) throws in
            guard body.count + piece.count <= bodyLimit else { throw HarnessError.malformed("body over \(bodyLimit) bytes") }
            body.append(contentsOf: piece)
        }
        return HTTPResponse(head: head, body: body, framing: framing, chunkCount: chunks)
    }

    /// Sends `request` and reads its response.
    func request(_ request: HTTPRequest, timeout: Duration = .seconds(10)) throws -> HTTPResponse {
        try send(request, timeout: timeout)
        return try readResponse(requestMethod: request.method, timeout: timeout)
    }

    /// GET `target` on this connection.
    func get(_ target: String, headers: [(String, String)] = [], timeout: Duration = .seconds(10)) throws -> HTTPResponse {
        try request(.get(target, headers: headers), timeout: timeout)
    }

    /// What the server does with this connection within `timeout` when we expect nothing.
    func peerState(within timeout: Duration) -> PeerState {
        reader.peerState(within: timeout)
    }
}

extension RawHTTPClient {
    /// Opens a connection, sends one request with `Connection: close`, reads the response.
    static func fetch(port: UInt16, _ target: String, timeout: Duration = .seconds(10)) throws -> HTTPResponse {
        let client = try RawHTTPClient(port: port)
        defer { client.close() }
        return try client.get(target, headers: [("Connection", "close")], timeout: timeout)
    }
}
