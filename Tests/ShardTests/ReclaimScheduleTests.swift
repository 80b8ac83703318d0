import Testing

@testable import Shard

@Suite struct ReclaimScheduleTests {
    static let second: Int64 = 1_000_000_000

    /// A shard's connection history fed to the schedule once a second, as the loop does.
    struct Shard {
        var schedule = ReclaimSchedule()
        var now: Int64 = 0
        var slots = 0
        var accepted = 0
        var closed = 0
        var open: Int { accepted - closed }

        mutating func openConnections(_ count: Int) {
            accepted += count
            slots = max(slots, open)
        }

        mutating func closeConnections(_ count: Int) { closed += count }

        /// One second passes; returns whether memory is given back at its end.
        mutating func tick() -> Bool {
            now += ReclaimScheduleTests.second
            guard schedule.isDue(now: now) else { return false }
            let reclaim = schedule.check(now: now, slots: slots, open: open, accepted: accepted, closed: closed)
            if reclaim { slots = open }  // as if the table dropped every free slot
            return reclaim
        }

        /// Seconds until the schedule says reclaim (nil if not within `limit`).
        mutating func secondsUntilReclaim(limit: Int = 60) -> Int? {
            for second in 1...limit where tick() { return second }
            return nil
        }
    }

    @Test func reclaimsOnceTheShardIsQuietAfterADrop() {
        var shard = Shard()
        shard.openConnections(1000)
        #expect(shard.secondsUntilReclaim(limit: 5) == nil, "nothing closed: nothing to give back")
        shard.closeConnections(900)
        let seconds = shard.secondsUntilReclaim()
        #expect(seconds != nil && seconds! >= 2 && seconds! <= 3, "two quiet seconds after the drop, got \(String(describing: seconds))")
        #expect(shard.secondsUntilReclaim(limit: 30) == nil, "once per drop")
    }

    @Test func smallDropsAreNotWorthATrim() {
        var shard = Shard()
        shard.openConnections(300)
        shard.closeConnections(200)
        #expect(shard.secondsUntilReclaim() == nil)
    }

    @Test func aTableStillMoreThanHalfFullIsKept() {
        var shard = Shard()
        shard.openConnections(2000)
        shard.closeConnections(900)
        #expect(shard.secondsUntilReclaim() == nil, "1,100 of 2,000 slots in use")
        shard.closeConnections(200)
        #expect(shard.secondsUntilReclaim() != nil, "now 900 of 2,000")
    }

    @Test func aBusyShardStillReclaimsAfterTheLatestDelay() {
        var shard = Shard()
        shard.openConnections(2000)
        shard.closeConnections(1900)
        var seconds = 0
        var reclaimed = false
        while seconds < 60 && !reclaimed {
            shard.openConnections(1)  // a connection comes and goes every second: never quiet
            shard.closeConnections(1)
            reclaimed = shard.tick()
            seconds += 1
        }
        #expect(reclaimed)
        #expect(seconds >= 10 && seconds <= 11, "after the latest delay, got \(seconds)")
    }

    @Test func aDropThatRefillsIsForgotten() {
        var shard = Shard()
        shard.openConnections(1000)
        shard.closeConnections(900)
        _ = shard.tick()
        shard.openConnections(900)  // back before the shard went quiet
        #expect(shard.secondsUntilReclaim() == nil)
    }

    @Test func aPinnedTableNeedsAsManyNewClosesBeforeTheNextTrim() {
        var shard = Shard()
        shard.openConnections(1000)
        shard.closeConnections(999)
        #expect(shard.secondsUntilReclaim() != nil)
        shard.slots = 1000  // the last slot is still open: nothing could be dropped
        #expect(shard.secondsUntilReclaim() == nil, "no trim every second for a table that cannot shrink")
        shard.openConnections(999)
        shard.closeConnections(999)
        #expect(shard.secondsUntilReclaim() != nil, "another table's worth of closes")
    }

    @Test func checksAtMostOnceAnInterval() {
        var schedule = ReclaimSchedule()
        #expect(schedule.isDue(now: 5 * Self.second))
        _ = schedule.check(now: 5 * Self.second, slots: 0, open: 0, accepted: 0, closed: 0)
        #expect(!schedule.isDue(now: 5 * Self.second + Self.second / 2))
        #expect(schedule.isDue(now: 6 * Self.second))
    }
}
