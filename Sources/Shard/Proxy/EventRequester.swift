import Wire

/// WebSocket-over-HTTP's requests for one session: client events wait in `pending` and go to
/// the backend as one POST at a time; the events of a request in flight stay in `inFlight` so
/// a failed request is repeated with exactly the same events, in order, after a backoff.
///
/// No I/O: the session's shard builds each request from `pending` and runs it as the
/// `ProxyExchange` this requester holds while it is in flight. Time comes in as nanoseconds,
/// the backoff's jitter from the caller's random source.
struct EventRequester {
    enum State {
        /// No request in flight: the next one goes out when events wait (or a keep-alive is due).
        case idle
        /// A request carrying `inFlight` runs as this exchange.
        case requesting(ProxyExchange)
        /// The last request failed; the next try waits for the retry timer.
        case backingOff(untilNanos: Int64)
    }

    /// What the shard does once a request ended.
    enum Outcome: Equatable {
        /// The response's events go to the client.
        case deliver
        /// The backend refused the OPEN with a response of its own: the client gets it.
        case relayRefusal
        /// The OPEN request failed: the client's handshake is answered with this error.
        case refuseOpen(ProxyError)
        /// Try again with the same events once `atNanos` has passed.
        case retry(atNanos: Int64)
        /// Give up on the backend: close the client with this code.
        case close(code: UInt16)
    }

    /// Pending events at which the client is no longer read until a request takes them.
    let highWaterBytes: Int
    /// Failed requests repeated before the session gives up (with 1011), and the backoff: the
    /// n-th retry waits `retryBaseNanos << (n - 1)` plus up to `retryJitterNanos`.
    let retriesMax: Int
    let retryBaseNanos: Int64
    let retryJitterNanos: Int64
    private(set) var state = State.idle
    private(set) var pending: [UInt8] = []
    private(set) var inFlight: [UInt8] = []
    /// The OPEN request was answered with events: later failures are retried, not refused.
    private(set) var opened = false
    private(set) var retries = 0
    /// The pending events reached `highWaterBytes`: the client is not read until a request
    /// takes them.
    private(set) var readPaused = false
    private(set) var lastRequestNanos: Int64 = 0
    /// The backend's `Keep-Alive-Interval`: an (empty) request after this much quiet; 0 for none.
    var keepAliveIntervalNanos: Int64 = 0

    init(highWaterBytes: Int, retriesMax: Int, retryBaseNanos: Int64, retryJitterNanos: Int64) {
        self.highWaterBytes = highWaterBytes
        self.retriesMax = retriesMax
        self.retryBaseNanos = retryBaseNanos
        self.retryJitterNanos = retryJitterNanos
    }

    /// Adds an event for the next request.
    mutating func queue(_ event: WebSocketOverHTTPEvent) {
        WebSocketOverHTTPCodec.append(event, to: &pending)
        pauseIfFull()
    }

    /// Drops the events not yet sent and queues `event` alone (the client is gone: only its
    /// DISCONNECT still matters).
    mutating func replacePending(with event: WebSocketOverHTTPEvent) {
        pending.removeAll(keepingCapacity: true)
        queue(event)
    }

    /// A request may go out now: none in flight, no backoff running, and events waiting
    /// (or `keepAlive`: an empty request is due).
    func mayRequest(keepAlive: Bool) -> Bool {
        guard case .idle = state else { return false }
        return keepAlive || !pending.isEmpty
    }

    /// `exchange` carries the pending events (its forwarded bytes were built from them):
    /// they move in flight. Returns true when this resumes the client's reading.
    mutating func begin(_ exchange: ProxyExchange, nowNanos: Int64) -> Bool {
        precondition(mayRequest(keepAlive: true), "EventRequester.begin in \(state)")
        swap(&inFlight, &pending)  // both buffers keep their capacity
        pending.removeAll(keepingCapacity: true)
        state = .requesting(exchange)
        lastRequestNanos = nowNanos
        let resumed = readPaused
        readPaused = false
        return resumed
    }

    /// Runs `body` on the exchange of the request in flight; nil when none is.
    mutating func withExchange<Result>(_ body: (inout ProxyExchange) -> Result) -> Result? {
        guard case .requesting(var exchange) = state else { return nil }
        state = .idle  // the exchange is then uniquely referenced while `body` runs
        defer { state = .requesting(exchange) }
        return body(&exchange)
    }

    var exchange: ProxyExchange? {
        if case .requesting(let exchange) = state { return exchange } else { return nil }
    }

    /// The backend answered. An events response delivers (and opens the session); anything
    /// else refuses the OPEN or, once open, ends the session.
    mutating func answered(isEvents: Bool) -> Outcome {
        guard case .requesting = state else { preconditionFailure("EventRequester.answered in \(state)") }
        state = .idle
        inFlight.removeAll(keepingCapacity: true)
        guard isEvents else { return opened ? .close(code: 1011) : .relayRefusal }
        retries = 0
        return .deliver
    }

    /// The OPEN response carried the OPEN event: the session is up.
    mutating func open() {
        opened = true
    }

    /// The request failed (no connection, reset, timeout, a bad response). The OPEN is not
    /// retried; later requests are, `retriesMax` times, after a doubling backoff plus jitter,
    /// with their events ahead of those queued since.
    mutating func failed(_ error: ProxyError, nowNanos: Int64, random: inout some RandomNumberGenerator) -> Outcome {
        guard case .requesting = state else { preconditionFailure("EventRequester.failed in \(state)") }
        state = .idle
        guard opened else {
            inFlight.removeAll(keepingCapacity: true)
            return .refuseOpen(error)
        }
        retries += 1
        guard retries <= retriesMax else {
            inFlight.removeAll(keepingCapacity: true)
            return .close(code: 1011)
        }
        inFlight.append(contentsOf: pending)
        swap(&inFlight, &pending)
        inFlight.removeAll(keepingCapacity: true)
        pauseIfFull()  // a fast client waits for the retry too
        let jitter = retryJitterNanos > 0 ? Int64.random(in: 0..<retryJitterNanos, using: &random) : 0
        let deadline = nowNanos + (retryBaseNanos << Int64(retries - 1)) + jitter
        state = .backingOff(untilNanos: deadline)
        return .retry(atNanos: deadline)
    }

    /// The retry timer fired: the next request may go.
    mutating func retryDue() {
        guard case .backingOff = state else {
            assertionFailure("EventRequester.retryDue in \(state)")
            return
        }
        state = .idle
    }

    var backingOff: Bool {
        if case .backingOff = state { return true } else { return false }
    }

    /// When the next keep-alive request is due, if the backend asked for them.
    var keepAliveDueNanos: Int64? {
        keepAliveIntervalNanos > 0 ? lastRequestNanos + keepAliveIntervalNanos : nil
    }

    /// A keep-alive request should go out now.
    func keepAliveDue(nowNanos: Int64) -> Bool {
        guard keepAliveIntervalNanos > 0, case .idle = state else { return false }
        return nowNanos - lastRequestNanos >= keepAliveIntervalNanos
    }

    private mutating func pauseIfFull() {
        if pending.count >= highWaterBytes { readPaused = true }
    }
}
