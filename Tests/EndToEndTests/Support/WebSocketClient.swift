import Foundation
import Wire

/// A WebSocket client written by hand over one loopback TCP connection: it sends exactly
/// the frames a test builds (masked or not, fragmented, with reserved bits, chopped into
/// small writes) and reads the server's frames one by one, checking that each is a frame
/// a server may send. Every read is bounded.
final class WebSocketClient {
    let http: RawHTTPClient
    /// The server's 101 response.
    let handshake: HTTPResponse
    /// Opcode of the data message being reassembled by `readMessage`, nil between messages.
    private var messageOpcode: UInt8?
    private var messageBytes: [UInt8] = []

    var reader: MessageReader { http.reader }
    var socket: TCPSocket { http.socket }

    private init(http: RawHTTPClient, handshake: HTTPResponse) {
        self.http = http
        self.handshake = handshake
    }

    deinit {
        http.close()
    }

    // MARK: - Opening handshake

    enum HandshakeResult {
        case accepted(WebSocketClient)
        /// The server answered something other than 101 (its whole response).
        case refused(HTTPResponse)
    }

    /// An upgrade request sent, its answer not read yet (so many can be in flight).
    struct PendingHandshake {
        let http: RawHTTPClient
        let key: String
        let target: String

        /// Reads the answer. A 101 is checked (Upgrade, Connection, Sec-WebSocket-Accept).
        func result(timeout: Duration = .seconds(10)) throws -> HandshakeResult {
            let response = try http.readResponse(timeout: timeout)
            guard response.status == 101 else {
                http.close()
                return .refused(response)
            }
            let expected = Base64.encode(SHA1.hash(Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8)))
            guard response.header("Sec-WebSocket-Accept") == expected,
                response.head.tokens("Upgrade").contains("websocket"),
                response.head.tokens("Connection").contains("upgrade")
            else {
                http.close()
                throw HarnessError.malformed("101 without a valid WebSocket handshake: \(response.head.headers)")
            }
            return .accepted(WebSocketClient(http: http, handshake: response))
        }

        /// `result`, requiring a 101.
        func finish(timeout: Duration = .seconds(10)) throws -> WebSocketClient {
            switch try result(timeout: timeout) {
            case .accepted(let client):
                return client
            case .refused(let response):
                throw HarnessError.setup("WebSocket handshake for \(target) answered \(response.status): \(response.bodyText.prefix(200))")
            }
        }
    }

    /// Connects and sends an upgrade request for `target`.
    static func startOpen(port: UInt16, _ target: String, headers: [(String, String)] = []) throws -> PendingHandshake {
        let http = try RawHTTPClient(port: port)
        let key = randomKey()
        var fields = [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Key", key), ("Sec-WebSocket-Version", "13")]
        fields += headers
        try http.send(.get(target, headers: fields))
        return PendingHandshake(http: http, key: key, target: target)
    }

    /// Sends an upgrade request for `target` and reads the answer.
    static func open(
        port: UInt16, _ target: String, headers: [(String, String)] = [], timeout: Duration = .seconds(10)
    ) throws -> HandshakeResult {
        try startOpen(port: port, target, headers: headers).result(timeout: timeout)
    }

    /// `open`, requiring a 101.
    static func connect(port: UInt16, _ target: String, headers: [(String, String)] = [], timeout: Duration = .seconds(10)) throws -> WebSocketClient {
        try startOpen(port: port, target, headers: headers).finish(timeout: timeout)
    }

    static func randomKey() -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
    }

    // MARK: - Sending

    func send(_ frame: WebSocketFrame, timeout: Duration = .seconds(10)) throws {
        try sendRaw(frame.encoded(), timeout: timeout)
    }

    /// All frames in one write, so the server sees them together.
    func send(_ frames: [WebSocketFrame], timeout: Duration = .seconds(10)) throws {
        try sendRaw(frames.flatMap { $0.encoded() }, timeout: timeout)
    }

    /// Raw bytes, optionally in writes of `chop` bytes with a short pause between them
    /// (TCP_NODELAY is on, so each write tends to arrive on its own).
    func sendRaw(_ bytes: [UInt8], chop: Int? = nil, timeout: Duration = .seconds(10)) throws {
        guard let chop, chop > 0 else {
            try http.send(bytes, timeout: timeout)
            return
        }
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chop)
            try http.send(Array(bytes[offset..<end]), timeout: timeout)
            offset = end
            if offset < bytes.count { pause(.microseconds(200)) }
        }
    }

    func sendText(_ text: String) throws { try send(.text(text)) }

    func sendBinary(_ bytes: [UInt8]) throws { try send(.client(WebSocketFrame.Opcode.binary, bytes)) }

    func sendClose(code: UInt16?, reason: String = "") throws {
        try send(.client(WebSocketFrame.Opcode.close, WebSocketFrame.closePayload(code: code, reason: Array(reason.utf8))))
    }

    // MARK: - Receiving

    /// Reads one frame, waiting at most `timeout` for it to start arriving. Throws
    /// `.malformed` for a frame no server may send (masked, reserved bits or opcode,
    /// oversized or fragmented control frame).
    func readFrame(timeout: Duration = .seconds(5)) throws -> WebSocketFrame {
        let deadline = Deadline(in: timeout)
        socket.setTimeout(timeout)
        defer { socket.setTimeout(TCPSocket.defaultTimeout) }
        let start = try readBytes(2, deadline)
        var frame = WebSocketFrame(fin: start[0] & 0x80 != 0, rsv: (start[0] >> 4) & 0x07, opcode: start[0] & 0x0F, masked: start[1] & 0x80 != 0)
        var length = Int(start[1] & 0x7F)
        if length == 126 {
            let extended = try readBytes(2, deadline)
            length = Int(extended[0]) << 8 | Int(extended[1])
        } else if length == 127 {
            let extended = try readBytes(8, deadline)
            let wide = extended.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard wide < 1 << 31 else { throw HarnessError.malformed("server frame announces \(wide) bytes") }
            length = Int(wide)
        }
        let key = frame.masked ? try readBytes(4, deadline) : []
        frame.payload = try readBytes(length, Deadline(in: max(timeout, .seconds(10))))
        if frame.masked {
            for index in frame.payload.indices { frame.payload[index] ^= key[index & 3] }
            throw HarnessError.malformed("server sent a masked frame: \(frame)")
        }
        if frame.rsv != 0 { throw HarnessError.malformed("server frame with reserved bits: \(frame)") }
        guard [0, 1, 2, 8, 9, 10].contains(frame.opcode) else { throw HarnessError.malformed("server frame with reserved opcode: \(frame)") }
        if frame.isControl && (!frame.fin || frame.payload.count > 125) {
            throw HarnessError.malformed("server sent a fragmented or oversized control frame: \(frame)")
        }
        return frame
    }

    private func readBytes(_ count: Int, _ deadline: Deadline) throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        try reader.readExactly(count, deadline: deadline) { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Reads frames until a whole message or a control frame is complete; data frames are
    /// joined (control frames between fragments are returned as they come).
    func readMessage(timeout: Duration = .seconds(5)) throws -> WebSocketMessage {
        let deadline = Deadline(in: timeout)
        while true {
            let frame = try readFrame(timeout: deadline.remaining == .zero ? .milliseconds(1) : deadline.remaining)
            switch frame.opcode {
            case WebSocketFrame.Opcode.ping: return .ping(frame.payload)
            case WebSocketFrame.Opcode.pong: return .pong(frame.payload)
            case WebSocketFrame.Opcode.close:
                if frame.payload.count == 1 { throw HarnessError.malformed("server close frame with a one-byte payload") }
                return .close(code: WebSocketFrame.closeCode(of: frame.payload), reason: Array(frame.payload.dropFirst(2)))
            case WebSocketFrame.Opcode.continuation:
                guard messageOpcode != nil else { throw HarnessError.malformed("server continuation frame without a message") }
            default:
                guard messageOpcode == nil else { throw HarnessError.malformed("server started a message inside another") }
                messageOpcode = frame.opcode
            }
            messageBytes += frame.payload
            if frame.fin, let opcode = messageOpcode {
                let bytes = messageBytes
                messageBytes = []
                messageOpcode = nil
                if opcode == WebSocketFrame.Opcode.text {
                    guard String(validating: bytes, as: UTF8.self) != nil else { throw HarnessError.malformed("server text message is not UTF-8") }
                    return .text(bytes)
                }
                return .binary(bytes)
            }
        }
    }

    /// Reads messages until a close frame; returns it and what came before it.
    func readUntilClose(timeout: Duration = .seconds(5)) throws -> (close: WebSocketMessage, before: [WebSocketMessage]) {
        let deadline = Deadline(in: timeout)
        var before: [WebSocketMessage] = []
        while true {
            let message = try readMessage(timeout: deadline.remaining == .zero ? .milliseconds(1) : deadline.remaining)
            if case .close = message { return (message, before) }
            before.append(message)
        }
    }

    /// After the close handshake: whether the server ended the TCP connection in time.
    func peerState(within timeout: Duration) -> PeerState {
        http.peerState(within: timeout)
    }

    /// Drops the TCP connection without a close frame.
    func close() {
        http.close()
    }
}
