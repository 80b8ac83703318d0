import Foundation
import Synchronization

/// One POST of events as the WOH backend received it.
struct WOHRequest: Sendable {
    let head: HTTPHead
    let body: [UInt8]
    /// The parsed body; nil when it did not parse (`parseError` says why).
    let events: [WOHEvent]?
    let parseError: String?

    var connectionID: String { head.value("Connection-Id") ?? "" }
    var target: String { head.startLine.1 }
    var isOpen: Bool { events?.first == .open }

    func query(_ name: String) -> String? { queryValue(name, inTarget: target) }
}

/// What the backend does with one request.
struct WOHReply: Sendable {
    var status = 200
    var reason = "OK"
    var headers: [(String, String)] = []
    var body: [UInt8] = []
    /// Close the connection without answering.
    var hangUp = false

    /// 200 `application/websocket-events` carrying `events`.
    static func events(_ events: [WOHEvent], headers: [(String, String)] = []) -> WOHReply {
        WOHReply(headers: [("Content-Type", "application/websocket-events")] + headers, body: WOHEvent.encode(events))
    }

    static func status(_ status: Int, _ reason: String, body: String) -> WOHReply {
        WOHReply(status: status, reason: reason, headers: [("Content-Type", "text/plain")], body: Array(body.utf8))
    }
}

/// A WebSocket-over-HTTP backend: a thread-per-connection HTTP/1.1 server on 127.0.0.1
/// that parses each POST's events, records the request and answers with whatever
/// `handler` returns. It can be started on a given port, so a test can stop it and bring
/// "the same backend" back.
final class WOHBackend: Sendable {
    typealias Handler = @Sendable (WOHRequest) -> WOHReply

    let port: UInt16
    private let listener: TCPSocket
    private let handler: Handler
    private let state = Mutex(State())

    private struct State {
        var stopping = false
        var requests: [WOHRequest] = []
        var connections: Set<Int32> = []
        var threadsRunning = 0
    }

    init(port: UInt16 = 0, handler: @escaping Handler) throws {
        self.handler = handler
        listener = try TCPSocket.listen(port: port)
        self.port = listener.localPort
        state.withLock { $0.threadsRunning += 1 }
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    deinit {
        stop()
    }

    // MARK: - What tests read

    var requests: [WOHRequest] { state.withLock { $0.requests } }

    /// Every event of connection `id`, across its requests, in arrival order.
    func events(of id: String) -> [WOHEvent] {
        requests.filter { $0.connectionID == id }.flatMap { $0.events ?? [] }
    }

    /// Polls until `condition` holds for the recorded requests; nil on timeout.
    func waitFor(timeout: Duration = .seconds(5), _ condition: ([WOHRequest]) -> Bool) -> [WOHRequest]? {
        eventually(timeout: timeout, interval: .milliseconds(10)) {
            let all = requests
            return condition(all) ? all : nil
        }
    }

    /// Polls until connection `id` has sent at least `count` events; returns them.
    func waitForEvents(of id: String, count: Int, timeout: Duration = .seconds(5)) -> [WOHEvent] {
        eventually(timeout: timeout, interval: .milliseconds(10)) {
            let events = events(of: id)
            return events.count >= count ? events : nil
        } ?? events(of: id)
    }

    private var isStopping: Bool { state.withLock { $0.stopping } }

    // MARK: - Lifecycle

    /// Stops accepting, closes every connection and waits (bounded) for the threads. The
    /// port is free again afterwards.
    func stop() {
        state.withLock { state in
            state.stopping = true
            for fd in state.connections { TCPSocket(fd: fd).shutdownBoth() }
        }
        let deadline = Deadline(in: .seconds(3))
        while state.withLock({ $0.threadsRunning }) > 0 && !deadline.hasPassed { pause(.milliseconds(2)) }
    }

    private func acceptLoop() {
        defer {
            listener.close()
            state.withLock { $0.threadsRunning -= 1 }
        }
        while !isStopping {
            guard let connection = try? listener.accept(timeout: .milliseconds(20)) else { continue }
            let admitted = state.withLock { state -> Bool in
                guard !state.stopping else { return false }
                state.connections.insert(connection.fd)
                state.threadsRunning += 1
                return true
            }
            guard admitted else { connection.close(); continue }
            Thread.detachNewThread { [self] in serve(connection) }
        }
    }

    private func serve(_ connection: TCPSocket) {
        defer {
            state.withLock {
                $0.connections.remove(connection.fd)
                $0.threadsRunning -= 1
                connection.close()
            }
        }
        connection.setTimeout(.seconds(30))
        let reader = MessageReader(socket: connection)
        while !isStopping {
            do {
                guard let headBytes = try reader.readHead(deadline: Deadline(in: .seconds(60))) else { return }
                let head = try HTTPHead(parsing: headBytes)
                var body: [UInt8] = []
                try reader.readBody(head.requestFraming(), deadline: Deadline(in: .seconds(30))) { body.append(contentsOf: $0) }
                let request: WOHRequest
                do {
                    request = WOHRequest(head: head, body: body, events: try WOHEvent.parse(body), parseError: nil)
                } catch {
                    request = WOHRequest(head: head, body: body, events: nil, parseError: String(describing: error))
                }
                state.withLock { $0.requests.append(request) }
                let reply = handler(request)
                if reply.hangUp || isStopping { return }
                var text = "HTTP/1.1 \(reply.status) \(reply.reason)\r\n"
                for (name, value) in reply.headers { text += "\(name): \(value)\r\n" }
                text += "Content-Length: \(reply.body.count)\r\n\r\n"
                try connection.send(Array(text.utf8) + reply.body, deadline: Deadline(in: .seconds(10)))
            } catch {
                return
            }
        }
    }
}

/// The usual WOH backend: accepts every connection (`OPEN`), optionally enables GRIP and
/// subscribes it to the target's `channel` query parameters, and echoes what the client
/// sends (prefixed with `m:` under GRIP). Text `close <code>` makes it close the
/// WebSocket with that code; a client CLOSE is answered with the same CLOSE.
enum WOHBehaviour {
    static func echo(grip: Bool = true, openHeaders: [(String, String)] = []) -> WOHBackend.Handler {
        { request in
            guard let events = request.events else { return .status(400, "Bad Request", body: request.parseError ?? "") }
            var out: [WOHEvent] = []
            var headers: [(String, String)] = []
            for event in events {
                switch event {
                case .open:
                    out.append(.open)
                    headers += openHeaders
                    if grip {
                        headers.append(("Sec-WebSocket-Extensions", "grip"))
                        for channel in request.channels { out.append(.subscribe(channel)) }
                    }
                case .text(let bytes):
                    let text = String(decoding: bytes, as: UTF8.self)
                    if text.hasPrefix("close "), let code = UInt16(text.dropFirst(6)) {
                        out.append(.close(code: code, reason: Array("backend closes".utf8)))
                    } else {
                        out.append(.text((grip ? Array("m:".utf8) : []) + bytes))
                    }
                case .binary(let bytes):
                    out.append(.binary((grip ? Array("m:".utf8) : []) + bytes))
                case .close(let code, let reason):
                    out.append(.close(code: code, reason: reason))
                case .ping, .pong, .disconnect:
                    break
                }
            }
            return .events(out, headers: headers)
        }
    }
}

extension WOHRequest {
    /// Every `channel` query parameter of the target.
    var channels: [String] {
        guard let mark = target.firstIndex(of: "?") else { return [] }
        return target[target.index(after: mark)...].split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1)
            return parts.count == 2 && parts[0] == "channel" ? String(parts[1]) : nil
        }
    }
}
