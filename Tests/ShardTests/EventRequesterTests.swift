import SeededRandom
import Testing
import Wire

@testable import Shard

/// Drives `EventRequester` with a fake clock and a seeded random source: no sockets, no sleeps.
@Suite struct EventRequesterTests {
    static let second: Int64 = 1_000_000_000
    static let retriesMax = 5

    /// A requester with pushpind's default policy: 5 retries after 1 s, 2 s, 4 s … plus up to 1 s.
    func makeRequester(highWaterBytes: Int = 1000) -> EventRequester {
        EventRequester(highWaterBytes: highWaterBytes, retriesMax: Self.retriesMax, retryBaseNanos: Self.second, retryJitterNanos: Self.second)
    }

    func request(_ requester: inout EventRequester, nowNanos: Int64 = 0, keepAlive: Bool = false) -> Bool {
        guard requester.mayRequest(keepAlive: keepAlive) else { return false }
        var forwarded = Array("POST / HTTP/1.1\r\n\r\n".utf8)
        forwarded += requester.pending
        let exchange = ProxyExchange(
            method: "POST", clientVersion: .http11, clientKeepAlive: true, handling: .collect(limit: 1000), requestBody: .none,
            forwardedHead: forwarded, candidateCount: 1)
        _ = requester.begin(exchange, nowNanos: nowNanos)
        return true
    }

    func events(_ list: WebSocketOverHTTPEvent...) -> [UInt8] {
        var bytes: [UInt8] = []
        for event in list { WebSocketOverHTTPCodec.append(event, to: &bytes) }
        return bytes
    }

    /// The OPEN went out and came back with events: the session is open.
    func opened() -> EventRequester {
        var requester = makeRequester()
        requester.queue(.open)
        #expect(request(&requester))
        #expect(requester.answered(isEvents: true) == .deliver)
        requester.open()
        return requester
    }

    @Test func oneRequestAtATimeAndEventsQueuedMeanwhileWaitForTheNext() {
        var requester = opened()
        requester.queue(.text(Array("a".utf8)))
        #expect(request(&requester))
        #expect(requester.inFlight == events(.text(Array("a".utf8))))
        requester.queue(.text(Array("b".utf8)))
        #expect(!request(&requester))  // one in flight
        #expect(requester.pending == events(.text(Array("b".utf8))))
        #expect(requester.answered(isEvents: true) == .deliver)
        #expect(requester.inFlight.isEmpty)
        #expect(request(&requester))
        #expect(requester.inFlight == events(.text(Array("b".utf8))))
    }

    @Test func nothingToSendMeansNoRequestUnlessAKeepAliveIsDue() {
        var requester = opened()
        #expect(!requester.mayRequest(keepAlive: false))
        requester.keepAliveIntervalNanos = 20 * Self.second
        #expect(!requester.keepAliveDue(nowNanos: 19 * Self.second))
        #expect(requester.keepAliveDue(nowNanos: 20 * Self.second))
        #expect(requester.keepAliveDueNanos == 20 * Self.second)
        #expect(request(&requester, nowNanos: 20 * Self.second, keepAlive: true))
        #expect(requester.inFlight.isEmpty)
        #expect(!requester.keepAliveDue(nowNanos: 30 * Self.second))  // one in flight
        _ = requester.answered(isEvents: true)
        #expect(requester.keepAliveDueNanos == 40 * Self.second)
    }

    @Test func aFailedRequestIsRetriedWithItsEventsFirstAfterABackoffThenClosedWith1011() {
        var random = SeededRandom(seed: 10)
        var requester = opened()
        let first = events(.text(Array("first".utf8)))
        requester.queue(.text(Array("first".utf8)))
        var now: Int64 = 100 * Self.second
        var previousDelay: Int64 = 0
        for attempt in 1...Self.retriesMax {
            #expect(request(&requester, nowNanos: now))
            requester.queue(.text(Array("later".utf8)))
            if attempt == 1 { #expect(requester.inFlight == first) }
            guard case .retry(let at) = requester.failed(.backendReset, nowNanos: now, random: &random) else {
                Issue.record("attempt \(attempt) not retried")
                return
            }
            let delay = at - now
            let base = Self.second << Int64(attempt - 1)
            #expect(delay >= base && delay < base + Self.second, "attempt \(attempt): \(delay)")
            #expect(delay > previousDelay)
            #expect(requester.pending.starts(with: first))  // the failed events stay ahead
            #expect(requester.backingOff)
            #expect(!requester.mayRequest(keepAlive: true))  // no request while the backoff runs
            previousDelay = delay
            now = at
            requester.retryDue()
        }
        #expect(request(&requester, nowNanos: now))
        #expect(requester.failed(.backendTimeout, nowNanos: now, random: &random) == .close(code: 1011))
    }

    @Test func aSuccessResetsTheRetryCount() {
        var random = SeededRandom(seed: 11)
        var requester = opened()
        requester.queue(.text([0x61]))
        _ = request(&requester)
        _ = requester.failed(.connectFailed, nowNanos: 0, random: &random)
        #expect(requester.retries == 1)
        requester.retryDue()
        _ = request(&requester)
        #expect(requester.answered(isEvents: true) == .deliver)
        #expect(requester.retries == 0)
    }

    @Test func theJitterComesFromTheRandomSource() {
        func delay(seed: UInt64) -> Int64 {
            var random = SeededRandom(seed: seed)
            var requester = opened()
            requester.queue(.ping([]))
            _ = request(&requester)
            guard case .retry(let at) = requester.failed(.backendReset, nowNanos: 0, random: &random) else { return -1 }
            return at
        }
        #expect(delay(seed: 1) == delay(seed: 1))
        #expect(delay(seed: 1) != delay(seed: 2))
    }

    @Test func aFailedOpenIsNotRetriedButRefused() {
        var random = SeededRandom(seed: 12)
        var requester = makeRequester()
        requester.queue(.open)
        _ = request(&requester)
        #expect(requester.failed(.connectFailed, nowNanos: 0, random: &random) == .refuseOpen(.connectFailed))
    }

    @Test func anOpenRefusedByTheBackendRelaysItsAnswerAndALaterNonEventsAnswerCloses() {
        var refused = makeRequester()
        refused.queue(.open)
        _ = request(&refused)
        #expect(refused.answered(isEvents: false) == .relayRefusal)

        var open = opened()
        open.queue(.text([0x61]))
        _ = request(&open)
        #expect(open.answered(isEvents: false) == .close(code: 1011))
    }

    @Test func readingPausesAtTheHighWaterMarkAndResumesWhenARequestTakesTheEvents() {
        var random = SeededRandom(seed: 13)
        var requester = opened()
        requester.queue(.text([UInt8](repeating: 0x61, count: 10)))
        _ = request(&requester)
        requester.queue(.binary([UInt8](repeating: 0x62, count: 2000)))
        #expect(requester.readPaused)
        _ = requester.answered(isEvents: true)
        guard requester.mayRequest(keepAlive: false) else {
            Issue.record("no request")
            return
        }
        let exchange = ProxyExchange(
            method: "POST", clientVersion: .http11, clientKeepAlive: true, handling: .collect(limit: 10), requestBody: .none,
            forwardedHead: [], candidateCount: 1)
        let resumed = requester.begin(exchange, nowNanos: 0)
        #expect(resumed)
        #expect(!requester.readPaused)
        // A failure puts the events back: a full queue pauses the client again until the retry.
        _ = requester.failed(.backendReset, nowNanos: 0, random: &random)
        #expect(requester.readPaused)
    }

    @Test func aGoneClientLeavesOnlyItsDisconnect() {
        var requester = opened()
        requester.queue(.text([0x61]))
        requester.replacePending(with: .disconnect)
        #expect(requester.pending == events(.disconnect))
    }

    @Test func theExchangeInFlightIsTheRequestersOwn() {
        var requester = opened()
        requester.queue(.text([0x61]))
        _ = request(&requester)
        let action = requester.withExchange { $0.start() }
        #expect(action == .connect(candidate: 0, usePool: true))
        #expect(requester.withExchange { $0.handle(.connectFailed) } == .fail(.connectFailed))
        #expect(requester.exchange?.isDone == true)
        _ = requester.answered(isEvents: true)
        #expect(requester.withExchange { _ in 0 } == nil)
    }
}
