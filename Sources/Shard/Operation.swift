import IOUring

/// The kind of operation a submission's `UserData` belongs to; picks the completion handler.
enum Operation: UInt8 {
    /// Multishot accept on listener `slot`.
    case accept = 1
    case clientRecv
    case clientSend
    case backendConnect
    case backendRecv
    case backendSend
    /// Fire-and-forget submissions (cancel, close, wake-ups we send): completions only on failure.
    case housekeeping
}

enum TimerKind: UInt8 {
    /// A client's backend did not connect or start its response in time.
    case backendDeadline = 1
    /// A lingering client connection gets no more time to send its EOF.
    case lingerDeadline
    /// A pooled backend connection sat idle too long.
    case backendIdle
    /// A failed accept (fd exhaustion) is retried after a pause, not in a busy loop.
    case acceptRetry
    /// A response hold timed out, or a stream hold is due for its keep-alive.
    case holdTimer
    /// A failed WebSocket-over-HTTP event request is due for its retry.
    case webSocketRetry
    /// A WebSocket session's keep-alive (backend interval request or client message).
    case webSocketKeepAlive
    /// A held session's next-link fetch is due (retry, idle refresh) or overdue (deadline).
    case recovery
    /// The shard's paced session updates (and first-subscription catch-ups) are due.
    case sessionUpdates
    /// A client's time limit on its request (head, next request, body) is due.
    case clientTimeLimit
}

extension UserData {
    init(_ op: Operation, _ generation: UInt32, _ slot: UInt32) {
        self.init(op: op.rawValue, generation: generation, slot: slot)
    }

    /// The tag of `op` on the connection `handle` names.
    init(_ op: Operation, _ handle: ConnectionHandle) {
        self.init(op: op.rawValue, generation: handle.generation, slot: handle.slot)
    }

    static let housekeeping = UserData(.housekeeping, 0, 0)
}
