import Hub
import Testing
import Wire

@testable import Control

@Suite("Stats tracker")
struct StatsTrackerTests {
    let second: Int64 = 1_000_000_000

    func tracker(report: Int64 = 10, linger: Int64 = 5) -> StatsTracker {
        StatsTracker(
            settings: .init(
                connectionTTL: 120, subscriptionTTL: 60, reportIntervalNanos: report * second,
                responseLingerNanos: linger * second),
            now: 0)
    }

    @Test func aConnectionIsAnnouncedRefreshedWithinItsTTLAndWithdrawn() {
        var stats = tracker(report: 0)
        #expect(
            stats.apply([.connected(id: "c1", type: .http, peerAddress: "127.0.0.1", route: nil)], now: 0)
                == [.connected(id: "c1", type: .http, peerAddress: "127.0.0.1", ttl: 120)])
        #expect(stats.hasConnection("c1"))
        #expect(stats.tick(now: 89 * second).isEmpty)
        #expect(stats.tick(now: 90 * second) == [.connected(id: "c1", type: .http, peerAddress: "127.0.0.1", ttl: 120)])
        #expect(stats.apply([.disconnected(id: "c1")], now: 91 * second) == [.disconnected(id: "c1")])
        #expect(!stats.hasConnection("c1"))
        #expect(stats.apply([.disconnected(id: "c1")], now: 92 * second).isEmpty)
    }

    @Test func subscriberCountsAreSummedAndAnnouncedOncePerBatch() {
        var stats = tracker()
        let batch: [StatsEvent] = [
            .subscribers(mode: .stream, channel: "a", delta: 1), .subscribers(mode: .stream, channel: "a", delta: 1),
            .subscribers(mode: .ws, channel: "a", delta: 1),
        ]
        #expect(
            stats.apply(batch, now: 0) == [
                .subscribed(mode: .stream, channel: "a", ttl: 60, subscribers: 2),
                .subscribed(mode: .ws, channel: "a", ttl: 60, subscribers: 1),
            ])
        #expect(
            stats.apply([.subscribers(mode: .stream, channel: "a", delta: -1)], now: second)
                == [.subscribed(mode: .stream, channel: "a", ttl: 60, subscribers: 1)])
        #expect(
            stats.apply([.subscribers(mode: .ws, channel: "a", delta: -1)], now: second)
                == [.unsubscribed(mode: .ws, channel: "a")])
        #expect(stats.subscribers(.stream, "a") == 1)
        #expect(stats.subscribers(.ws, "a") == 0)
    }

    @Test func aResponseModeSubscriptionLingersAfterItsLastLongPoll() {
        var stats = tracker(report: 0, linger: 5)
        _ = stats.apply([.subscribers(mode: .response, channel: "a", delta: 1)], now: 0)
        #expect(stats.apply([.subscribers(mode: .response, channel: "a", delta: -1)], now: second).isEmpty)
        #expect(stats.tick(now: 5 * second).isEmpty)
        #expect(stats.tick(now: 6 * second) == [.unsubscribed(mode: .response, channel: "a")])
        // A long-poll returning within the linger keeps it without a withdrawal.
        _ = stats.apply([.subscribers(mode: .response, channel: "b", delta: 1)], now: 10 * second)
        _ = stats.apply([.subscribers(mode: .response, channel: "b", delta: -1)], now: 10 * second)
        #expect(
            stats.apply([.subscribers(mode: .response, channel: "b", delta: 1)], now: 12 * second)
                == [.subscribed(mode: .response, channel: "b", ttl: 60, subscribers: 1)])
        #expect(stats.tick(now: 20 * second).isEmpty)
    }

    @Test func aPublishedItemCountsTheSubscribersOfEachTransport() {
        var stats = tracker()
        _ = stats.apply(
            [
                .subscribers(mode: .stream, channel: "a", delta: 1), .subscribers(mode: .stream, channel: "a", delta: 1),
                .subscribers(mode: .response, channel: "a", delta: 1),
            ], now: 0)
        let item = PublishItem(
            channel: "a", id: "i1", httpResponse: PublishHTTPResponse(body: Array("x".utf8)),
            httpStream: PublishHTTPStream(content: Array("x".utf8)), wsMessage: PublishWSMessage(content: Array("x".utf8)))
        #expect(
            stats.published(item) == [
                .message(channel: "a", itemID: "i1", count: 1, transport: .httpResponse),
                .message(channel: "a", itemID: "i1", count: 2, transport: .httpStream),
            ])
        var report = StatsReport()
        report.received = 1
        report.sent = 3
        report.httpResponseSent = 1
        report.durationMillis = 10_000
        #expect(stats.tick(now: 10 * second) == [.report(report)])
    }

    @Test func requestsBecomeActivityAndCounts() {
        var stats = tracker()
        #expect(stats.apply([.requests(3, route: nil)], now: 0) == [.activity(count: 3), .counts(requestsReceived: 3)])
    }

    @Test func aConnectionOnANamedRouteKeepsTheRouteInItsRefreshes() {
        var stats = tracker(report: 0)
        let announced = StatsPacket.connected(id: "c1", type: .ws, peerAddress: "::1", route: "chat", ttl: 120)
        #expect(stats.apply([.connected(id: "c1", type: .ws, peerAddress: "::1", route: "chat")], now: 0) == [announced])
        #expect(stats.tick(now: 90 * second) == [announced])
        // Pushpin's disconnect names no route.
        #expect(stats.apply([.disconnected(id: "c1")], now: 91 * second) == [.disconnected(id: "c1")])
    }

    @Test func activityIsPerRouteAndCountsIsTheTotal() {
        var stats = tracker()
        #expect(
            stats.apply([.requests(2, route: nil), .requests(1, route: "chat")], now: 0)
                == [.activity(count: 2), .activity(count: 1, route: "chat"), .counts(requestsReceived: 3)])
    }

    @Test func aReportHasTheMostConnectionsAndTheirMinutes() {
        var stats = tracker(report: 120)
        _ = stats.apply(
            [
                .connected(id: "a", type: .http, peerAddress: "", route: nil),
                .connected(id: "b", type: .ws, peerAddress: "", route: nil),
            ], now: 0)
        _ = stats.apply([.disconnected(id: "b")], now: 60 * second)
        let packets = stats.tick(now: 120 * second).filter { $0.type == "report" }
        var report = StatsReport()
        report.connections = 2
        report.minutes = 3
        report.durationMillis = 120_000
        #expect(packets == [.report(report)])
        // The next interval starts with the connections still open.
        let next = stats.tick(now: 240 * second).filter { $0.type == "report" }
        report.connections = 1
        report.minutes = 2
        #expect(next == [.report(report)])
    }
}
