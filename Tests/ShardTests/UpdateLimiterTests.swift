import Testing

@testable import Shard

@Suite struct UpdateLimiterTests {
    static let second: Int64 = 1_000_000_000

    func handle(_ slot: UInt32) -> ConnectionHandle { ConnectionHandle(slot: slot, generation: 1) }

    @Test func theFirstActionRunsAtOnceAndLaterOnesAreSpacedByTheRate() {
        var limiter = UpdateLimiter(actionsPerSecond: 10, sessionsPerAction: 2)
        for slot in 0..<5 { limiter.add(handle(UInt32(slot))) }
        #expect(limiter.dueNanos(nowNanos: 0) == 0)
        #expect(limiter.take(nowNanos: 0) == [handle(0), handle(1)])
        #expect(limiter.take(nowNanos: Self.second / 10 - 1).isEmpty)  // too soon
        #expect(limiter.dueNanos(nowNanos: 5) == Self.second / 10)
        #expect(limiter.take(nowNanos: Self.second / 10) == [handle(2), handle(3)])
        #expect(limiter.take(nowNanos: 2 * Self.second / 10) == [handle(4)])
        #expect(limiter.isEmpty)
        #expect(limiter.dueNanos(nowNanos: 0) == nil)
    }

    @Test func aSessionQueuedTwiceIsUpdatedOnceAndMayQueueAgainAfter() {
        var limiter = UpdateLimiter(actionsPerSecond: 10)
        let first = limiter.add(handle(1))
        let second = limiter.add(handle(1))
        #expect(first && !second)
        #expect(limiter.count == 1)
        #expect(limiter.take(nowNanos: 0) == [handle(1)])
        let again = limiter.add(handle(1))
        #expect(again)
    }

    @Test func aRateOfZeroOrLessStillRuns() {
        var limiter = UpdateLimiter(actionsPerSecond: 0)
        limiter.add(handle(1))
        #expect(limiter.take(nowNanos: 0) == [handle(1)])
        #expect(limiter.intervalNanos == Self.second)
    }
}
