import Testing

@testable import Shard

@Suite struct BackendPoolTests {
    /// Puts `slots` in order and returns which were accepted.
    static func put(_ slots: [UInt32], _ target: String, in pool: inout BackendPool) -> [UInt32] {
        slots.filter { pool.put($0, target: target) }
    }

    /// Takes until the target has none left: the order the pool hands them out.
    static func takeAll(_ target: String, from pool: inout BackendPool) -> [UInt32] {
        var taken: [UInt32] = []
        while taken.count < 1000, let slot = pool.take(target: target) { taken.append(slot) }
        return taken
    }

    @Test func takesTheMostRecentlyUsedFirst() {
        var pool = BackendPool(perTargetMax: 8)
        #expect(Self.put([3, 0, 7], "a", in: &pool) == [3, 0, 7])
        #expect(pool.count == 3 && pool.count(of: "a") == 3)
        let taken = pool.take(target: "a")
        #expect(taken == 7)
        #expect(Self.put([7], "a", in: &pool) == [7], "a taken slot can be put back")
        #expect(pool.slots(of: "a") == [7, 0, 3])
        #expect(Self.takeAll("a", from: &pool) == [7, 0, 3])
        #expect(Self.takeAll("never seen", from: &pool) == [])
        #expect(pool.count == 0 && !pool.contains(3))
    }

    @Test func removesFromTheMiddleAndBothEnds() {
        var pool = BackendPool(perTargetMax: 8)
        #expect(Self.put([1, 2, 3, 4, 5], "a", in: &pool).count == 5)
        let removed = [pool.remove(3), pool.remove(1), pool.remove(5)]  // middle, oldest, newest
        #expect(removed == [true, true, true])
        #expect(pool.slots(of: "a") == [4, 2])
        let notPooled = [pool.remove(3), pool.remove(99)]  // removed already; never pooled, past the links
        #expect(notPooled == [false, false])
        #expect(pool.count == 2 && pool.count(of: "a") == 2)
        #expect(Self.takeAll("a", from: &pool) == [4, 2])
        #expect(!pool.contains(2))
    }

    @Test func capsEachTargetOnItsOwn() {
        var pool = BackendPool(perTargetMax: 2)
        #expect(Self.put([0, 1, 2], "a", in: &pool) == [0, 1], "a third idle connection to one target is refused")
        #expect(!pool.contains(2))
        #expect(Self.put([2], "b", in: &pool) == [2], "another target has its own cap")
        #expect(pool.count == 3)
        pool.remove(0)
        #expect(Self.put([3], "a", in: &pool) == [3], "room again once one left")
        #expect(pool.slots(of: "a") == [3, 1])
    }

    @Test func capZeroKeepsNothing() {
        var pool = BackendPool(perTargetMax: 0)
        #expect(Self.put([0], "a", in: &pool) == [])
        #expect(pool.count == 0 && Self.takeAll("a", from: &pool) == [])
    }

    @Test func targetsDoNotShareSlots() {
        var pool = BackendPool(perTargetMax: 8)
        #expect(Self.put([0, 2], "a", in: &pool).count == 2)
        #expect(Self.put([1, 3], "b", in: &pool).count == 2)
        pool.remove(2)
        #expect(pool.slots(of: "a") == [0])
        #expect(pool.slots(of: "b") == [3, 1])
        #expect(Self.takeAll("b", from: &pool) == [3, 1])
        #expect(Self.takeAll("a", from: &pool) == [0])
    }

    /// After a peak, empty targets are forgotten and the rest keep their order and slots.
    @Test func releasingSpareCapacityKeepsWhatIsPooled() {
        var pool = BackendPool(perTargetMax: 16)
        for slot: UInt32 in 0..<40 { _ = Self.put([slot], "t\(slot % 4)", in: &pool) }
        #expect(pool.count == 40)
        for slot: UInt32 in 0..<40 where slot % 2 == 0 || (slot % 4 == 1 && slot > 20) { pool.remove(slot) }
        pool.releaseSpareCapacity()
        #expect(pool.count == 15)
        #expect(pool.count(of: "t0") == 0 && pool.count(of: "t2") == 0)
        #expect(pool.slots(of: "t1") == [17, 13, 9, 5, 1])
        #expect(pool.slots(of: "t3") == Array(stride(from: 39, through: 3, by: -4)))
        #expect(Self.put([100], "t0", in: &pool) == [100])
        let removed = pool.remove(1)
        #expect(removed)
        #expect(Self.takeAll("t1", from: &pool) == [17, 13, 9, 5])
        #expect(Self.takeAll("t0", from: &pool) == [100])
    }
}
