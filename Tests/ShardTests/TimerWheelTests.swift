import SeededRandom
import Testing

@testable import Shard

@Suite struct TimerWheelTests {
    /// One tick is 1 ms; the wheel starts at 10 ms (tick 10).
    static let tick: Int64 = 1_000_000

    func wheel(buckets: Int = 8, startTick: Int64 = 10) -> TimerWheel {
        TimerWheel(tickNanos: Self.tick, bucketCount: buckets, nowNanos: startTick * Self.tick + 123)
    }

    func at(_ tick: Int64, plus nanos: Int64 = 0) -> Int64 { tick * Self.tick + nanos }

    @Test func startsAtTheTickOfTheGivenTimeAndEmpty() {
        let timers = wheel()
        #expect(timers.currentTick == 10)
        #expect(timers.count == 0)
        #expect(timers.tickNanos == Self.tick)
    }

    @Test func entriesCarryWhatTheyWereArmedWith() {
        var timers = wheel()
        timers.schedule(kind: 3, slot: 77, generation: 9, token: 41, deadlineNanos: at(12))
        let fired = timers.advance(to: at(12))
        #expect(fired == [TimerWheel.Entry(kind: 3, slot: 77, generation: 9, token: 41, dueTick: 12)])
        #expect(timers.count == 0)
    }

    @Test func deadlinesRoundUpToTheNextTickBoundary() {
        var timers = wheel()
        timers.schedule(kind: 0, slot: 1, generation: 0, token: 0, deadlineNanos: at(13, plus: 1))
        #expect(timers.advance(to: at(13, plus: 999_999)).isEmpty, "never fires before its deadline")
        #expect(timers.advance(to: at(14)).map(\.dueTick) == [14])
    }

    @Test func pastAndPresentDeadlinesFireOnTheNextTickNeverTheCurrentOne() {
        var timers = wheel()
        timers.schedule(kind: 0, slot: 1, generation: 0, token: 0, deadlineNanos: 0)
        timers.schedule(kind: 0, slot: 2, generation: 0, token: 0, deadlineNanos: at(10))
        timers.schedule(kind: 0, slot: 3, generation: 0, token: 0, deadlineNanos: at(10, plus: 500))
        #expect(timers.advance(to: at(10, plus: 999_999)).isEmpty, "still tick 10")
        let fired = timers.advance(to: at(11))
        #expect(fired.map(\.slot) == [1, 2, 3])
        #expect(fired.allSatisfy { $0.dueTick == 11 })
    }

    @Test func advancingToTheSameOrAnEarlierTimeDoesNothing() {
        var timers = wheel()
        timers.schedule(kind: 0, slot: 1, generation: 0, token: 0, deadlineNanos: at(11))
        #expect(timers.advance(to: at(10)).isEmpty)
        #expect(timers.advance(to: at(5)).isEmpty)
        #expect(timers.currentTick == 10, "time never runs backwards")
        #expect(timers.count == 1)
        #expect(timers.advance(to: at(11)).count == 1)
    }

    @Test func firesInTickOrderAndInArmingOrderWithinATick() {
        var timers = wheel(buckets: 16)
        let dues: [Int64] = [15, 12, 20, 12, 11, 25, 15, 13]
        for (index, due) in dues.enumerated() {
            timers.schedule(kind: 0, slot: UInt32(index), generation: 0, token: 0, deadlineNanos: at(due))
        }
        let fired = timers.advance(to: at(25))
        #expect(fired.map(\.dueTick) == [11, 12, 12, 13, 15, 15, 20, 25])
        #expect(fired.map(\.slot) == [4, 1, 3, 7, 0, 6, 2, 5])
        #expect(timers.count == 0)
    }

    @Test func stepwiseAdvanceReturnsEachTicksEntriesWhenItComes() {
        var timers = wheel()
        for due: Int64 in [11, 12, 12, 14] {
            timers.schedule(kind: 0, slot: 0, generation: 0, token: UInt32(due), deadlineNanos: at(due))
        }
        #expect(timers.advance(to: at(11)).map(\.dueTick) == [11])
        #expect(timers.count == 3)
        #expect(timers.advance(to: at(12)).map(\.dueTick) == [12, 12])
        #expect(timers.advance(to: at(13)).isEmpty)
        #expect(timers.count == 1)
        #expect(timers.advance(to: at(14)).map(\.dueTick) == [14])
        #expect(timers.count == 0)
    }

    @Test func entriesMoreThanOneTurnAheadWaitForTheirOwnTurn() {
        var timers = wheel(buckets: 8)
        // Ticks 13, 21 and 29 share bucket 5.
        for due: Int64 in [29, 13, 21] {
            timers.schedule(kind: 0, slot: UInt32(due), generation: 0, token: 0, deadlineNanos: at(due))
        }
        #expect(timers.advance(to: at(13)).map(\.slot) == [13])
        #expect(timers.count == 2)
        #expect(timers.advance(to: at(20)).isEmpty, "bucket 5 was not visited, and 21 is not due")
        #expect(timers.advance(to: at(21)).map(\.slot) == [21])
        #expect(timers.advance(to: at(28)).isEmpty)
        #expect(timers.count == 1)
        #expect(timers.advance(to: at(29)).map(\.slot) == [29])
        #expect(timers.count == 0)
    }

    @Test func aLongStallFiresEverythingDueExactlyOnceAndKeepsTheRest() {
        var timers = wheel(buckets: 8)
        // Due across several turns, some past the stall's end.
        let dues: [Int64] = [11, 12, 18, 19, 27, 40, 41, 44, 45, 52, 60, 61]
        for (index, due) in dues.enumerated() {
            timers.schedule(kind: 0, slot: UInt32(index), generation: 0, token: 0, deadlineNanos: at(due))
        }
        let fired = timers.advance(to: at(44))
        #expect(fired.map(\.dueTick).sorted() == [11, 12, 18, 19, 27, 40, 41, 44])
        #expect(Set(fired.map(\.slot)).count == fired.count, "each once")
        #expect(timers.currentTick == 44)
        #expect(timers.count == 4)
        #expect(timers.advance(to: at(1_000)).map(\.dueTick).sorted() == [45, 52, 60, 61])
        #expect(timers.count == 0)
        #expect(timers.advance(to: at(5_000)).isEmpty)
    }

    /// The type's comment promises tick order; after a stall longer than one turn the
    /// buckets are visited from the stall's end backwards one turn, so older entries can
    /// come after newer ones.
    @Test func aLongStallReturnsEntriesInTickOrder() {
        var timers = wheel(buckets: 8)
        timers.schedule(kind: 0, slot: 1, generation: 0, token: 0, deadlineNanos: at(11))
        timers.schedule(kind: 0, slot: 2, generation: 0, token: 0, deadlineNanos: at(17))
        let fired = timers.advance(to: at(20))
        #expect(Set(fired.map(\.dueTick)) == [11, 17])
        #expect(fired.map(\.dueTick) == [11, 17])
    }

    @Test func cancellationIsLazyTheEntryStillFiresWithItsOldToken() {
        var timers = wheel()
        var token: UInt32 = 1
        timers.schedule(kind: 2, slot: 5, generation: 3, token: token, deadlineNanos: at(12))
        token &+= 1  // the owner cancels by moving its token on
        timers.schedule(kind: 2, slot: 5, generation: 3, token: token, deadlineNanos: at(14))
        #expect(timers.count == 2, "nothing is removed on cancel")
        let first = timers.advance(to: at(12))
        #expect(first.map(\.token) == [1])
        #expect(first.filter { $0.token == token }.isEmpty, "the caller drops this stale entry")
        #expect(timers.advance(to: at(14)).map(\.token) == [2])
    }

    @Test func timersArmedWhileHandlingFiredOnesGoToALaterTick() {
        var timers = wheel()
        timers.schedule(kind: 0, slot: 1, generation: 0, token: 0, deadlineNanos: at(12))
        for entry in timers.advance(to: at(12)) {
            timers.schedule(kind: 0, slot: entry.slot + 1, generation: 0, token: 0, deadlineNanos: at(12))
        }
        #expect(timers.count == 1)
        #expect(timers.advance(to: at(12, plus: 10)).isEmpty)
        #expect(timers.advance(to: at(13)).map(\.slot) == [2])
    }

    /// Against a plain list: every entry fires exactly once, at the first advance that
    /// reaches its tick, never earlier; short advances return tick order; count stays exact.
    @Test(arguments: [UInt64(1), 2, 3, 4])
    func matchesAModelUnderRandomSchedulesAndAdvances(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let buckets = 16
        var timers = TimerWheel(tickNanos: Self.tick, bucketCount: buckets, nowNanos: 0)
        var pending: [UInt32: Int64] = [:]  // token → due tick
        var nextToken: UInt32 = 0
        var now: Int64 = 0
        for _ in 0..<3_000 {
            if Bool.random(using: &random) || pending.isEmpty {
                let deadline = now + Int64.random(in: -2 * Self.tick...(Int64(buckets) * 5 * Self.tick), using: &random)
                let expectedDue = max(now / Self.tick + 1, (deadline + Self.tick - 1) / Self.tick)
                timers.schedule(kind: 1, slot: 0, generation: 0, token: nextToken, deadlineNanos: deadline)
                pending[nextToken] = expectedDue
                nextToken += 1
            } else {
                let step = Bool.random(using: &random)
                    ? Int64.random(in: 0...(3 * Self.tick), using: &random)
                    : Int64.random(in: 0...(Int64(buckets) * 4 * Self.tick), using: &random)
                now += step
                let target = now / Self.tick
                let fired = timers.advance(to: now)
                let expected = Set(pending.filter { $0.value <= target }.keys)
                #expect(Set(fired.map(\.token)) == expected, "seed \(seed)")
                #expect(fired.count == expected.count, "no entry fires twice")
                for entry in fired {
                    #expect(entry.dueTick == pending[entry.token], "seed \(seed)")
                    pending[entry.token] = nil
                }
                if step < Int64(buckets) * Self.tick {
                    #expect(fired.map(\.dueTick) == fired.map(\.dueTick).sorted(), "seed \(seed)")
                }
            }
            #expect(timers.count == pending.count)
        }
    }

    @Test func discardDropsWhatItPicksAndGivesBackBucketStorage() {
        var timers = wheel(buckets: 8)
        for token in 0..<400 as Range<UInt32> {
            timers.schedule(kind: 1, slot: token, generation: 0, token: token, deadlineNanos: at(11 + Int64(token % 16)))
        }
        let grown = timers.capacity
        #expect(grown >= 400)
        timers.discard { $0.slot % 100 != 0 }  // all but four are stale
        #expect(timers.count == 4)
        #expect(timers.capacity == 4, "storage for the four left, not for the \(grown) before")
        let fired = timers.advance(to: at(40))
        #expect(fired.map(\.slot).sorted() == [0, 100, 200, 300])
        #expect(timers.count == 0)
    }
}
