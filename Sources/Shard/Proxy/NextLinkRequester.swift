/// A stream hold's next-link fetches (`Grip-Link: <uri>; rel=next`): at most one in flight;
/// one asked for meanwhile (a gap, a hint, recovery) waits for it and goes once its response
/// is applied, since that response may predate what asked. A failed fetch is repeated after a
/// doubling backoff plus jitter, `retriesMax` times, then the stream is given up.
///
/// No I/O, like `EventRequester`: the shard builds each GET and runs it as the
/// `ProxyExchange` held here while it is in flight. Time comes in as nanoseconds, jitter from
/// the caller's random source.
struct NextLinkRequester {
    enum State {
        /// No fetch in flight or waiting for its retry.
        case idle
        /// A fetch runs as this exchange.
        case requesting(ProxyExchange)
        /// The last fetch failed; the next try waits for the retry timer.
        case backingOff(untilNanos: Int64)
    }

    /// What the shard does once a fetch ended.
    enum Outcome: Equatable {
        /// A 2xx response: append its body and apply its instructions.
        case apply
        /// Fetch again once `atNanos` has passed.
        case retry(atNanos: Int64)
        /// Every retry failed: close the stream.
        case giveUp
    }

    let retriesMax: Int
    /// The n-th retry waits `retryBaseNanos << (n - 1)` plus up to `retryJitterNanos`.
    let retryBaseNanos: Int64
    let retryJitterNanos: Int64
    private(set) var state = State.idle
    private(set) var retries = 0
    /// A fetch was asked for while another ran or backed off.
    private(set) var wanted = false

    init(retriesMax: Int, retryBaseNanos: Int64, retryJitterNanos: Int64) {
        self.retriesMax = retriesMax
        self.retryBaseNanos = retryBaseNanos
        self.retryJitterNanos = retryJitterNanos
    }

    /// A fetch is needed. True: start one now (`begin`); false: one runs or waits for its
    /// retry, and another follows it.
    mutating func request() -> Bool {
        guard case .idle = state else {
            wanted = true
            return false
        }
        return true
    }

    /// A fetch is needed once the answer this session waits for (another's) is applied.
    mutating func requestLater() {
        wanted = true
    }

    /// `exchange` carries the GET: it is in flight.
    mutating func begin(_ exchange: ProxyExchange) {
        guard case .idle = state else { preconditionFailure("NextLinkRequester.begin in \(state)") }
        wanted = false
        state = .requesting(exchange)
    }

    /// Runs `body` on the exchange in flight; nil when none is.
    mutating func withExchange<Result>(_ body: (inout ProxyExchange) -> Result) -> Result? {
        guard case .requesting(var exchange) = state else { return nil }
        state = .idle  // the exchange is then uniquely referenced while `body` runs
        defer { state = .requesting(exchange) }
        return body(&exchange)
    }

    var inFlight: Bool {
        if case .requesting = state { return true } else { return false }
    }

    var backingOff: Bool {
        if case .backingOff = state { return true } else { return false }
    }

    /// The backend answered with `status`: a 2xx is applied, anything else is a failure.
    mutating func answered(status: Int, nowNanos: Int64, random: inout some RandomNumberGenerator) -> Outcome {
        guard case .requesting = state else { preconditionFailure("NextLinkRequester.answered in \(state)") }
        guard status >= 200 && status < 300 else { return failed(nowNanos: nowNanos, random: &random) }
        state = .idle
        retries = 0
        return .apply
    }

    /// The fetch failed before anything of it reached the client (no connection, reset,
    /// timeout, a bad or non-2xx response).
    mutating func failed(nowNanos: Int64, random: inout some RandomNumberGenerator) -> Outcome {
        guard case .requesting = state else { preconditionFailure("NextLinkRequester.failed in \(state)") }
        retries += 1
        guard retries <= retriesMax else {
            state = .idle
            wanted = false
            return .giveUp
        }
        let jitter = retryJitterNanos > 0 ? Int64.random(in: 0..<retryJitterNanos, using: &random) : 0
        let deadline = nowNanos + (retryBaseNanos << Int64(retries - 1)) + jitter
        state = .backingOff(untilNanos: deadline)
        return .retry(atNanos: deadline)
    }

    /// The retry timer fired: the fetch goes again now (true), unless none is backing off.
    mutating func retryDue(nowNanos: Int64) -> Bool {
        guard case .backingOff(let until) = state, nowNanos >= until else { return false }
        state = .idle
        return true
    }

    /// The applied response is done with: true when another fetch was asked for meanwhile
    /// and should start now.
    mutating func takeWanted() -> Bool {
        guard case .idle = state, wanted else { return false }
        wanted = false
        return true
    }

    /// The session ends: whatever is in flight is the shard's to close.
    mutating func cancel() {
        state = .idle
        wanted = false
    }
}
