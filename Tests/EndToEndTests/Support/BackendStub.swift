import Foundation
import Synchronization

/// What the backend saw of one request: its head as received and its body's size and
/// checksum (the body itself is never kept).
struct RecordedRequest: Sendable {
    let head: HTTPHead
    let bodyLength: Int
    let bodyChecksum: UInt64

    var method: String { head.startLine.0 }
    var target: String { head.startLine.1 }
    var version: String { head.startLine.2 }
    var path: String { String(target.prefix { $0 != "?" }) }
}

/// The backend pushpind proxies to in the end-to-end tests: a thread-per-connection,
/// blocking-socket HTTP/1.1 server on 127.0.0.1 with keep-alive, whose behaviour is picked
/// by the request path (see `BackendStub+Behaviours.swift`). It records every request head
/// so tests can assert what reached the backend.
///
/// Threads: one accept thread plus one per connection. `stop()` (or deinit) shuts every
/// socket down and waits, bounded, for the threads to finish.
final class BackendStub: Sendable {
    /// Reported in `X-Stub-Name` on every response and in `/echo`, so a test can tell
    /// two backends apart (route reload).
    let name: String
    let port: UInt16
    /// Answers requests before the built-in behaviours do (nil: not this one).
    let script: (@Sendable (RecordedRequest) -> ScriptedAnswer?)?
    private let listener: TCPSocket
    private let state = Mutex(State())

    private struct State {
        var stopping = false
        var requests: [RecordedRequest] = []
        /// fds of open connections, so `stop()` can wake their threads.
        var connections: Set<Int32> = []
        var connectionsAccepted = 0
        var threadsRunning = 0
    }

    /// Longest a connection may sit idle before the stub closes it.
    static let idleTimeout: Duration = .seconds(30)
    /// Upper bound on requests served on one connection.
    static let requestsPerConnectionMax = 100_000

    init(name: String = "backend", script: (@Sendable (RecordedRequest) -> ScriptedAnswer?)? = nil) throws {
        self.name = name
        self.script = script
        listener = try TCPSocket.listen()
        port = listener.localPort
        state.withLock { $0.threadsRunning += 1 }
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    deinit {
        stop()
    }

    // MARK: - What tests read

    /// Every request received so far, in arrival order.
    var requests: [RecordedRequest] { state.withLock { $0.requests } }

    /// Connections currently open (pushpind's pooled backend connections included).
    var openConnectionCount: Int { state.withLock { $0.connections.count } }

    var connectionsAccepted: Int { state.withLock { $0.connectionsAccepted } }

    /// Forgets the recorded requests (between phases of one test).
    func clearRequests() {
        state.withLock { $0.requests.removeAll() }
    }

    var isStopping: Bool { state.withLock { $0.stopping } }

    // MARK: - Lifecycle

    /// Stops accepting, shuts every connection down and waits up to 3 s for the threads.
    func stop() {
        // Under the lock: a connection thread closes its fd under the same lock, so no fd
        // number here can have been reused for someone else's socket.
        state.withLock { state in
            state.stopping = true
            for fd in state.connections { TCPSocket(fd: fd).shutdownBoth() }
        }
        let deadline = Deadline(in: .seconds(3))
        while state.withLock({ $0.threadsRunning }) > 0 && !deadline.hasPassed {
            pause(.milliseconds(5))
        }
    }

    private func acceptLoop() {
        defer {
            listener.close()
            state.withLock { $0.threadsRunning -= 1 }
        }
        while !isStopping {
            let accepted: TCPSocket?
            do {
                accepted = try listener.accept(timeout: .milliseconds(50))
            } catch {
                pause(.milliseconds(10))  // e.g. EMFILE: back off instead of spinning
                continue
            }
            guard let connection = accepted else { continue }
            let admitted = state.withLock { state -> Bool in
                guard !state.stopping else { return false }
                state.connections.insert(connection.fd)
                state.connectionsAccepted += 1
                state.threadsRunning += 1
                return true
            }
            guard admitted else { connection.close(); continue }
            Thread.detachNewThread { [self] in serve(connection) }
        }
    }

    /// Serves requests on one connection until the peer closes, asks to close, goes idle
    /// or the stub stops.
    private func serve(_ connection: TCPSocket) {
        var resetOnClose = false
        defer {
            if resetOnClose { connection.setResetOnClose() }
            state.withLock {
                $0.connections.remove(connection.fd)
                $0.threadsRunning -= 1
                connection.close()
            }
        }
        connection.setTimeout(Self.idleTimeout)
        let reader = MessageReader(socket: connection)
        for _ in 0..<Self.requestsPerConnectionMax where !isStopping {
            do {
                guard let head = try reader.readHead(deadline: Deadline(in: Self.idleTimeout)) else { return }
                let request = try HTTPHead(parsing: head)
                let recorded = try readBody(of: request, from: reader)
                state.withLock { $0.requests.append(recorded) }
                switch try respond(to: recorded, on: connection) {
                case .keepOpen: continue
                case .close: return
                case .reset: resetOnClose = true; return
                }
            } catch {
                return  // peer gone, timed out or sent garbage: just drop the connection
            }
        }
    }

    /// Consumes the request body, checksumming it on the way. Answers `Expect: 100-continue`
    /// as a real backend would, in case a proxy forwards it.
    private func readBody(of head: HTTPHead, from reader: MessageReader) throws -> RecordedRequest {
        if head.tokens("Expect").contains("100-continue") {
            try reader.socket.send(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8), deadline: Deadline(in: .seconds(5)))
        }
        var checksum = StreamChecksum()
        try reader.readBody(head.requestFraming(), deadline: Deadline(in: .seconds(60))) { checksum.update($0) }
        return RecordedRequest(head: head, bodyLength: checksum.byteCount, bodyChecksum: checksum.value)
    }
}
