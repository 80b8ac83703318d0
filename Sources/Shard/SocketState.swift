/// What the loop tracks for any socket it drives through the ring, client or backend:
/// the fd, which operations are in flight, and the bytes waiting to be sent.
///
/// A socket is closed (and its slot reused) only once nothing is in flight, so no
/// completion can ever refer to a recycled fd or freed send buffer.
struct SocketState {
    var fd: Int32 = -1
    var generation: UInt32 = 0
    var recvArmed = false
    /// A cancel of the armed receive was submitted (backpressure); cleared when it ends.
    var recvCancelRequested = false
    var sendInFlight = false
    var connectInFlight = false
    var sendQueue = SendQueue()
    var closing = false
    /// Waiting in the shard's end-of-turn flush (published messages were queued this turn).
    var flushScheduled = false
    /// Bumped to cancel this socket's pending timer lazily (see `TimerWheel`).
    var timerToken: UInt32 = 0

    var quiet: Bool { !recvArmed && !sendInFlight && !connectInFlight }
}
