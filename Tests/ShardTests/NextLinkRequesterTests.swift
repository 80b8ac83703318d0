import SeededRandom
import Testing
import Hub
import Wire

@testable import Shard

/// Drives `NextLinkRequester` with a fake clock and a seeded random source: no sockets, no sleeps.
@Suite struct NextLinkRequesterTests {
    static let second: Int64 = 1_000_000_000

    func makeRequester(retriesMax: Int = 5) -> NextLinkRequester {
        NextLinkRequester(retriesMax: retriesMax, retryBaseNanos: Self.second, retryJitterNanos: Self.second)
    }

    func exchange() -> ProxyExchange {
        ProxyExchange(
            method: "GET", clientVersion: .http11, clientKeepAlive: true, handling: .collect(limit: 1000), requestBody: .none,
            forwardedHead: Array("GET /next HTTP/1.1\r\n\r\n".utf8), candidateCount: 1)
    }

    func takeWanted(_ requester: inout NextLinkRequester) -> Bool { requester.takeWanted() }
    func retryDue(_ requester: inout NextLinkRequester, nowNanos: Int64) -> Bool { requester.retryDue(nowNanos: nowNanos) }

    /// Asks for a fetch and starts it when the requester says so.
    func fetch(_ requester: inout NextLinkRequester) -> Bool {
        guard requester.request() else { return false }
        requester.begin(exchange())
        return true
    }

    @Test func aFetchAnsweredWithA2xxIsApplied() {
        var requester = makeRequester()
        var random = SeededRandom(seed: 1)
        #expect(fetch(&requester))
        #expect(requester.inFlight)
        #expect(requester.answered(status: 200, nowNanos: 0, random: &random) == .apply)
        #expect(!requester.inFlight)
        #expect(!takeWanted(&requester))
    }

    @Test func oneFetchAtATimeAndOneAskedForMeanwhileFollowsIt() {
        var requester = makeRequester()
        var random = SeededRandom(seed: 1)
        #expect(fetch(&requester))
        #expect(!fetch(&requester))  // in flight: remembered, not started
        #expect(!fetch(&requester))  // asked twice, still one follow-up
        let method = requester.withExchange { $0.method }
        #expect(method == "GET")
        #expect(requester.answered(status: 204, nowNanos: 0, random: &random) == .apply)
        #expect(takeWanted(&requester))
        #expect(!takeWanted(&requester))
    }

    @Test func failuresBackOffDoublingWithJitterThenGiveUp() {
        var requester = makeRequester()
        var random = SeededRandom(seed: 7)
        var now: Int64 = 0
        #expect(fetch(&requester))
        for attempt in 1...5 {
            guard case .retry(let deadline) = requester.failed(nowNanos: now, random: &random) else {
                Issue.record("attempt \(attempt) was not retried")
                return
            }
            let base = Self.second << Int64(attempt - 1)
            #expect(deadline >= now + base && deadline < now + base + Self.second)
            #expect(requester.backingOff)
            #expect(!retryDue(&requester, nowNanos: deadline - 1))  // not yet
            #expect(!fetch(&requester))  // backing off: waits for the retry
            now = deadline
            #expect(retryDue(&requester, nowNanos: now))
            requester.begin(exchange())
        }
        #expect(requester.failed(nowNanos: now, random: &random) == .giveUp)
        #expect(!takeWanted(&requester))  // nothing follows a stream given up
    }

    @Test func aNon2xxAnswerIsAFailure() {
        var requester = makeRequester()
        var random = SeededRandom(seed: 3)
        #expect(fetch(&requester))
        guard case .retry = requester.answered(status: 500, nowNanos: 0, random: &random) else {
            Issue.record("a 500 was applied")
            return
        }
        #expect(requester.backingOff)
        #expect(requester.retries == 1)
    }

    @Test func aSuccessResetsTheRetryCount() {
        var requester = makeRequester(retriesMax: 1)
        var random = SeededRandom(seed: 3)
        #expect(fetch(&requester))
        _ = requester.failed(nowNanos: 0, random: &random)
        #expect(retryDue(&requester, nowNanos: 10 * Self.second))
        requester.begin(exchange())
        #expect(requester.answered(status: 200, nowNanos: 0, random: &random) == .apply)
        #expect(fetch(&requester))
        guard case .retry = requester.failed(nowNanos: 0, random: &random) else {
            Issue.record("the count carried over from before the success")
            return
        }
    }

    @Test func cancelForgetsTheFetchAndTheFollowUp() {
        var requester = makeRequester()
        #expect(fetch(&requester))
        #expect(!fetch(&requester))
        requester.cancel()
        #expect(!requester.inFlight)
        #expect(!takeWanted(&requester))
        #expect(fetch(&requester))
    }
}

@Suite struct ChannelPositionsTests {
    func positions() -> ChannelPositions {
        ChannelPositions([.init(channel: "p:a", lastID: "1"), .init(channel: "p:b", lastID: nil)])
    }

    @Test func aPrevIDOtherThanTheLastIDIsAGap() {
        let positions = positions()
        #expect(!positions.isGap(channel: "p:a", prevID: "1"))
        #expect(positions.isGap(channel: "p:a", prevID: "0"))
        #expect(!positions.isGap(channel: "p:a", prevID: nil))  // an item without prev-id checks nothing
        #expect(!positions.isGap(channel: "p:b", prevID: "9"))  // nothing known there
        #expect(!positions.isGap(channel: "other", prevID: "9"))
    }

    @Test func deliveredItemsAdvanceTheirChannel() {
        var positions = positions()
        positions.advance(channel: "p:a", id: "2")
        #expect(positions.lastID(of: "p:a") == "2")
        #expect(positions.isGap(channel: "p:a", prevID: "1"))
        positions.advance(channel: "p:b", id: "x")
        #expect(positions.lastID(of: "p:b") == "x")
        positions.advance(channel: "p:a", id: nil)
        #expect(positions.lastID(of: "p:a") == nil)
    }

    @Test func gripLastNamesChannelsWithoutTheRoutePrefixAndOnlyThoseWithAnID() {
        #expect(positions().gripLastValues(removingPrefix: "p:") == ["a; last-id=1"])
        #expect(positions().gripLastValues(removingPrefix: "") == ["p:a; last-id=1"])
    }
}

@Suite struct NextLinkTargetTests {
    @Test(arguments: [
        ("/next?a=1", "/stream/x?q=1", "/next?a=1"),
        ("next", "/stream/x?q=1", "/stream/next"),
        ("?after=5", "/stream/x?q=1", "/stream/x?after=5"),
        ("http://example.com:8000/n?x=1#f", "/s", "/n?x=1"),
        ("//example.com/n", "/s", "/n"),
        ("http://example.com", "/s", "/"),
        ("", "/s?q", "/s?q"),
        ("n#frag", "/a/b", "/a/n"),
        ("../next?x=../y", "/events/stream", "/next?x=../y"),
        ("./next", "/events/stream", "/events/next"),
        ("../../../next", "/a/b/c", "/next"),
        ("/a/./b/../c", "/s", "/a/c"),
        ("..", "/a/b/c", "/a/"),
    ])
    func resolvesAgainstTheRequest(link: String, base: String, expected: String) {
        #expect(NextLinkTarget.resolve(link, against: base) == expected)
    }
}

@Suite struct HoldRecoveryTests {
    func recovery(lastID: String?) -> HoldRecovery {
        HoldRecovery(
            request: HTTPRequestHead(method: "GET", target: "/s", version: .http11, headers: HTTPHeaders()), signing: nil,
            candidates: [], channelPrefix: "", positions: ChannelPositions([.init(channel: "ch", lastID: lastID)]),
            requester: NextLinkRequester(retriesMax: 5, retryBaseNanos: 1, retryJitterNanos: 0))
    }

    func message(id: String?, prevID: String?, channel: String = "ch") -> PublishMessage {
        PublishMessage(channel: channel, id: id, prevID: prevID, acceptedAtNanos: 0, stream: nil, response: nil)
    }

    @Test func itemsThatFollowAreAcceptedAndMoveThePosition() {
        let session = recovery(lastID: "1")
        #expect(session.accepts(message(id: "2", prevID: "1")))
        #expect(session.positions.lastID(of: "ch") == "2")
        #expect(!session.accepts(message(id: "4", prevID: "3")))  // a gap
        #expect(session.positions.lastID(of: "ch") == "2")  // the dropped item moves nothing
    }

    @Test func whileAFetchRunsTrackedChannelsTakeNothing() {
        let session = recovery(lastID: "1")
        _ = session.requester.request()
        session.requester.begin(
            ProxyExchange(
                method: "GET", clientVersion: .http11, clientKeepAlive: true, handling: .collect(limit: 10), requestBody: .none,
                forwardedHead: [], candidateCount: 1))
        #expect(!session.accepts(message(id: "2", prevID: "1")))
        let untracked = recovery(lastID: nil)
        untracked.leader = ConnectionHandle(slot: 1, generation: 1)  // waits for a shared fetch
        #expect(untracked.accepts(message(id: "9", prevID: nil)))  // nothing known there: no reason to drop
        let following = recovery(lastID: "1")
        following.leader = ConnectionHandle(slot: 1, generation: 1)
        #expect(!following.accepts(message(id: "2", prevID: "1")))
    }

    @Test func aLongPollConflictsOnlyWithAnotherPrevID() {
        let session = recovery(lastID: "5")
        #expect(!session.conflicts(message(id: "6", prevID: "5")))
        #expect(session.conflicts(message(id: "7", prevID: "6")))
        #expect(!session.conflicts(message(id: "7", prevID: nil)))
        #expect(!session.conflicts(message(id: "7", prevID: "0", channel: "other")))
    }
}
