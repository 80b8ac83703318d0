import Wire

/// Everything one subscriber connection receives, turned into events: the response head
/// (subscribed), each message, the end. Sans-IO: the driver feeds it whatever the socket gave.
///
/// - stream: a 200 head means subscribed; the body (chunked, sized or until close) is split
///   into lines and every line is a message candidate.
/// - response: the head arrives only when the hold is answered; the whole body is one message.
/// - ws: a 101 head means subscribed; every text or binary message is a candidate.
public struct SubscriberReader: Sendable {
    public enum Event {
        /// The head that confirms the subscription (stream 200, ws 101).
        case subscribed
        /// One message's bytes, valid during the call only.
        case message(UnsafeRawBufferPointer)
        /// A ws ping the driver must answer with a pong carrying the same bytes.
        case ping(UnsafeRawBufferPointer)
        /// The server ended the stream, the long-poll response or the WebSocket cleanly.
        case finished
        /// Anything else: a refused subscription, a framing error, a truncated body.
        case failed(String)
    }

    enum State: Sendable {
        case head
        case body
        case webSocket
        case done
    }

    public static let maxHeadBytes = 65536
    public static let maxResponseBodyBytes = 1 << 20

    public let kind: DeliveryKind
    private var state = State.head
    private var headBuffer: [UInt8] = []
    private var parser = HTTPResponseParser(maxHeadBytes: maxHeadBytes)
    private var body = BodyDecoder(framing: .none)
    private var lines = LineSplitter()
    private var responseBody: [UInt8] = []
    private var frames = WebSocketFrameDecoder()

    public init(kind: DeliveryKind) {
        self.kind = kind
    }

    public var isDone: Bool {
        if case .done = state { return true }
        return false
    }

    public mutating func feed(_ bytes: UnsafeRawBufferPointer, event: (Event) -> Void) {
        switch state {
        case .done:
            return
        case .head:
            headBuffer.append(contentsOf: bytes)
            var parser = self.parser
            let outcome = headBuffer.withUnsafeBytes { parser.parse($0) }
            self.parser = parser
            switch outcome {
            case .incomplete:
                return
            case .failure(let error):
                fail("bad response head: \(error)", event)
            case .complete(let head, let consumed):
                var rest = headBuffer
                rest.removeFirst(consumed)
                headBuffer = []
                guard begin(head, bodyStart: rest, event) else { return }
                if !rest.isEmpty { rest.withUnsafeBytes { feed($0, event: event) } }
            }
        case .body:
            feedBody(bytes, event)
        case .webSocket:
            var closed = false
            do throws(WebSocketError) {
                try frames.feed(bytes) { frame in
                    guard !closed else { return }
                    switch frame {
                    case .message(_, let payload): event(.message(payload))
                    case .ping(let payload): event(.ping(payload))
                    case .pong: break
                    case .close: closed = true
                    }
                }
            } catch {
                fail("WebSocket: \(error)", event)
                return
            }
            if closed { finish(event) }
        }
    }

    /// The connection reached EOF.
    public mutating func finishAtEOF(event: (Event) -> Void) {
        switch state {
        case .done:
            return
        case .body where body.finishAtEOF():
            if kind == .response { deliverResponseBody(event) }
            finish(event)
        default:
            fail("connection closed by the server", event)
        }
    }

    /// Checks the status and sets up the body reader; false when the subscription failed.
    private mutating func begin(_ head: HTTPResponseHead, bodyStart: [UInt8], _ event: (Event) -> Void) -> Bool {
        if kind == .ws {
            guard head.status == 101 else {
                fail("status \(head.status) instead of 101" + Self.excerpt(bodyStart), event)
                return false
            }
            state = .webSocket
            event(.subscribed)
            return true
        }
        if (100...199).contains(head.status) {
            parser.reset()
            return true  // interim head; the real one follows
        }
        guard head.status == 200 else {
            fail("status \(head.status)" + Self.excerpt(bodyStart), event)
            return false
        }
        do throws(HTTPParseError) {
            body = BodyDecoder(framing: try head.bodyFraming(requestMethod: "GET"))
        } catch {
            fail("response framing: \(error)", event)
            return false
        }
        state = .body
        if kind == .stream { event(.subscribed) }
        if body.isComplete {
            if kind == .response { deliverResponseBody(event) }
            finish(event)
            return false
        }
        return true
    }

    private mutating func feedBody(_ bytes: UnsafeRawBufferPointer, _ event: (Event) -> Void) {
        let kind = self.kind
        // Moved out while the decoder runs so the closure does not overlap with `self`.
        var lines = self.lines, responseBody = self.responseBody
        self.responseBody = []
        var failure: HTTPParseError?
        do throws(HTTPParseError) {
            _ = try body.decode(bytes) { data in
                if kind == .stream {
                    lines.feed(data) { event(.message($0)) }
                } else if responseBody.count + data.count <= Self.maxResponseBodyBytes {
                    responseBody.append(contentsOf: data)
                }
            }
        } catch {
            failure = error
        }
        self.lines = lines
        self.responseBody = responseBody
        if let failure {
            fail("body: \(failure)", event)
            return
        }
        guard body.isComplete else { return }
        if kind == .response { deliverResponseBody(event) }
        finish(event)
    }

    private mutating func deliverResponseBody(_ event: (Event) -> Void) {
        responseBody.withUnsafeBytes { event(.message(LineSplitter.trimmingNewline($0))) }
        responseBody = []
    }

    /// The start of a refusal's body (when it came with the head), for the error tally.
    static func excerpt(_ body: [UInt8]) -> String {
        let text = body.prefix(60).map { $0 >= 0x20 && $0 < 0x7F ? Character(Unicode.Scalar($0)) : " " }
        let trimmed = String(text).trimmingSpaces
        return trimmed.isEmpty ? "" : ": \(trimmed)"
    }

    private mutating func finish(_ event: (Event) -> Void) {
        state = .done
        event(.finished)
    }

    private mutating func fail(_ reason: String, _ event: (Event) -> Void) {
        state = .done
        event(.failed(reason))
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
