import Testing

@testable import Control

@Suite("Subscription forwarding")
struct SubscriptionForwarderTests {
    let second: Int64 = 1_000_000_000

    @Test func subscribesOnceAndUnsubscribesAfterTheLinger() {
        var forwarder = SubscriptionForwarder(lingerNanos: 5 * second)
        #expect(forwarder.channelGained("news") == .subscribe("news"))
        #expect(forwarder.channelGained("news") == nil)
        forwarder.channelLost("news", now: 10 * second)
        #expect(forwarder.expire(now: 14 * second).isEmpty)
        #expect(forwarder.expire(now: 15 * second) == [.unsubscribe("news")])
        #expect(forwarder.expire(now: 20 * second).isEmpty)
        #expect(forwarder.subscribed.isEmpty)
        #expect(forwarder.channelGained("news") == .subscribe("news"))
    }

    @Test func aSubscriberReturningWithinTheLingerKeepsTheSubscription() {
        var forwarder = SubscriptionForwarder(lingerNanos: 5 * second)
        _ = forwarder.channelGained("a")
        _ = forwarder.channelGained("b")
        forwarder.channelLost("a", now: 0)
        forwarder.channelLost("b", now: 0)
        #expect(forwarder.channelGained("a") == nil)
        #expect(forwarder.expire(now: 6 * second) == [.unsubscribe("b")])
        #expect(forwarder.subscribed == ["a"])
    }

    @Test func zeroLingerUnsubscribesOnTheNextExpiry() {
        var forwarder = SubscriptionForwarder(lingerNanos: 0)
        _ = forwarder.channelGained("c")
        forwarder.channelLost("c", now: 7)
        #expect(forwarder.expire(now: 7) == [.unsubscribe("c")])
        // Losing a channel never subscribed does nothing.
        forwarder.channelLost("never", now: 7)
        #expect(forwarder.expire(now: 100).isEmpty)
    }
}
