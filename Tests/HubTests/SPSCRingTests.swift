import Hub
import Synchronization
import Testing

/// Counts how many `Tracked` instances have been destroyed.
final class DeinitCounter: Sendable {
    private let count = Atomic<Int>(0)

    var value: Int { count.load(ordering: .relaxed) }

    func note() { count.add(1, ordering: .relaxed) }
}

/// An element with a reference count, so the tests can see when the ring releases it.
final class Tracked: Sendable {
    let value: Int
    private let counter: DeinitCounter

    init(_ value: Int, counter: DeinitCounter) {
        self.value = value
        self.counter = counter
    }

    deinit { counter.note() }
}

@Suite struct SPSCRingTests {
    @Test func popsInFIFOOrderThenNil() {
        let ring = SPSCRing<Int>(capacity: 8)
        #expect(ring.isEmpty)
        #expect(ring.pop() == nil)
        for value in [10, 20, 30, 40, 50] { #expect(ring.push(value)) }
        #expect(!ring.isEmpty)
        #expect(ring.approximateCount == 5)
        var popped: [Int] = []
        while let value = ring.pop() { popped.append(value) }
        #expect(popped == [10, 20, 30, 40, 50])
        #expect(ring.isEmpty)
        #expect(ring.approximateCount == 0)
    }

    @Test(arguments: [(1, 1), (2, 2), (3, 4), (5, 8), (8, 8), (1000, 1024), (1024, 1024), (1025, 2048)])
    func roundsCapacityUpToPowerOfTwo(requested: Int, expected: Int) {
        let ring = SPSCRing<Int>(capacity: requested)
        #expect(ring.capacity == expected)
        // The rounded capacity is really usable: exactly that many pushes succeed.
        var accepted = 0
        while accepted <= expected, ring.push(accepted) { accepted += 1 }
        #expect(accepted == expected)
    }

    @Test func pushFailsExactlyWhenFullAndSucceedsAfterOnePop() {
        let ring = SPSCRing<Int>(capacity: 3)  // rounds to 4
        for value in 0..<4 { #expect(ring.push(value)) }
        #expect(!ring.push(99))
        #expect(!ring.push(99))
        #expect(ring.approximateCount == 4)

        #expect(ring.pop() == 0)
        #expect(ring.push(4))
        #expect(!ring.push(100))

        var popped: [Int] = []
        while let value = ring.pop() { popped.append(value) }
        #expect(popped == [1, 2, 3, 4], "a refused push must leave the ring unchanged")
    }

    @Test func capacityOneAlternates() {
        let ring = SPSCRing<Int>(capacity: 1)
        for round in 0..<100 {
            #expect(ring.push(round))
            #expect(!ring.push(-1))
            #expect(ring.pop() == round)
            #expect(ring.pop() == nil)
        }
    }

    @Test func wrapsAroundManyTimesKeepingOrder() {
        let ring = SPSCRing<Int>(capacity: 8)
        var nextPush = 0
        var nextPop = 0
        // Batch sizes 1...8 in turn, so head and tail cross the wrap point at every offset.
        for cycle in 0..<20_000 {
            let batch = cycle % 8 + 1
            for _ in 0..<batch {
                #expect(ring.push(nextPush))
                nextPush += 1
            }
            #expect(ring.approximateCount == batch)
            for _ in 0..<batch {
                let value = ring.pop()
                #expect(value == nextPop)
                nextPop += 1
            }
            #expect(ring.isEmpty)
        }
        #expect(nextPop == nextPush)
        #expect(nextPush > 8 * 10_000, "indices went far beyond the capacity")
    }

    @Test func keepsHalfFullAcrossWrapPoint() {
        // A ring that is never drained: head and tail both keep moving past the wrap point.
        let ring = SPSCRing<Int>(capacity: 16)
        for value in 0..<10 { #expect(ring.push(value)) }
        for value in 10..<50_000 {
            #expect(ring.push(value))
            #expect(ring.pop() == value - 10)
        }
        #expect(ring.approximateCount == 10)
    }

    @Test func releasesPoppedElements() {
        let counter = DeinitCounter()
        let ring = SPSCRing<Tracked>(capacity: 4)
        for value in 0..<3 { #expect(ring.push(Tracked(value, counter: counter))) }
        #expect(counter.value == 0, "the ring keeps its elements alive")

        do {
            let first = ring.pop()
            #expect(first?.value == 0)
        }
        #expect(counter.value == 1, "a popped element is moved out, not copied")

        _ = ring.pop()
        _ = ring.pop()
        #expect(counter.value == 3)
        #expect(ring.pop() == nil)
        #expect(counter.value == 3)
    }

    @Test func releasesQueuedElementsOnDeallocation() {
        let counter = DeinitCounter()
        do {
            let ring = SPSCRing<Tracked>(capacity: 4)
            // Move head and tail past the wrap point first, so deinit walks wrapped indices.
            for value in 0..<6 {
                #expect(ring.push(Tracked(value, counter: counter)))
                _ = ring.pop()
            }
            #expect(counter.value == 6)
            for value in 0..<3 { #expect(ring.push(Tracked(value, counter: counter))) }
            #expect(counter.value == 6)
            withExtendedLifetime(ring) {}
        }
        #expect(counter.value == 9, "every element still queued is released exactly once")
    }

    @Test func fullRingReleasesEveryElementOnDeallocation() {
        let counter = DeinitCounter()
        do {
            let ring = SPSCRing<Tracked>(capacity: 8)
            var pushed = 0
            while pushed < 20, ring.push(Tracked(pushed, counter: counter)) { pushed += 1 }
            #expect(pushed == 8)
            // The ninth element was refused; it must have been released by the caller side only.
            #expect(counter.value == 1)
            withExtendedLifetime(ring) {}
        }
        #expect(counter.value == 9)
    }
}
