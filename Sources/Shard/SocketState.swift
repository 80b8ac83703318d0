/// What the loop tracks for any socket it drives through the ring, client or backend:
/// the fd, where it is in its life, which operations are in flight, and the bytes waiting to
/// be sent.
///
/// A socket is closed (and its slot reused) only once nothing is in flight, so no
/// completion can ever refer to a recycled fd or freed send buffer.
struct SocketState {
    /// Only a live socket (connecting or open) takes new work.
    enum Lifecycle {
        /// No socket: a slot never used, or one whose close went to the ring (the generation
        /// moved on at the same time).
        case closed
        /// A backend socket whose connect is in flight.
        case connecting
        case open
        /// Close requested: what is in flight is being cancelled; the fd closes once it is quiet.
        case closing
    }

    /// Operations submitted on the socket whose last completion has not arrived yet.
    struct InFlight: OptionSet {
        let rawValue: UInt8

        /// A multishot receive is armed.
        static let recv = InFlight(rawValue: 1 << 0)
        /// A cancel of the armed receive was submitted (backpressure); ends with the receive.
        static let recvCancel = InFlight(rawValue: 1 << 1)
        static let send = InFlight(rawValue: 1 << 2)
        static let connect = InFlight(rawValue: 1 << 3)
    }

    var fd: Int32 = -1
    var generation: UInt32 = 0
    var lifecycle = Lifecycle.closed
    var inFlight: InFlight = []
    var sendQueue = SendQueue()
    /// Bumped to cancel this socket's pending timer lazily (see `TimerWheel`).
    var timerToken: UInt32 = 0

    init() {}

    /// A socket just accepted (`.open`) or just created for a connect (`.connecting`).
    init(fd: Int32, generation: UInt32, lifecycle: Lifecycle) {
        self.fd = fd
        self.generation = generation
        self.lifecycle = lifecycle
    }

    /// Connecting or open: not closing, not closed.
    var isLive: Bool { lifecycle == .connecting || lifecycle == .open }

    /// Nothing in flight: a closing socket's fd may go and its slot be reused.
    var quiet: Bool { inFlight.isEmpty }

    /// The multishot receive delivered its last completion (with or without a cancel).
    mutating func recvEnded() { inFlight.subtract([.recv, .recvCancel]) }
}
