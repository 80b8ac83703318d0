import Synchronization

/// A bounded, lock-free single-producer / single-consumer queue.
///
/// Exactly one thread may call `push` and exactly one (other) thread may call `pop`/`isEmpty`.
/// Indices grow without wrapping (Int is 64-bit); `index & mask` picks the cell. Each side
/// caches the other's index so the shared cache line is read only when the ring looks full
/// or empty (glommio's `spsc_queue` does the same).
public final class SPSCRing<Element: Sendable>: @unchecked Sendable {
    public let capacity: Int
    private let mask: Int
    private let cells: UnsafeMutablePointer<Element>

    /// Next index to read; written by the consumer only.
    private let head = Atomic<Int>(0)
    private let padding0: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    /// Next index to write; written by the producer only.
    private let tail = Atomic<Int>(0)
    private let padding1: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    /// Producer-local copy of `head`.
    private var producerHead = 0
    private let padding2: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    /// Consumer-local copy of `tail`.
    private var consumerTail = 0

    /// `capacity` is rounded up to a power of two.
    public init(capacity: Int) {
        precondition(capacity > 0, "an SPSC ring needs room for at least one element")
        var size = 1
        while size < capacity { size <<= 1 }
        self.capacity = size
        mask = size - 1
        cells = .allocate(capacity: size)
    }

    deinit {
        var index = head.load(ordering: .relaxed)
        let end = tail.load(ordering: .relaxed)
        while index != end {
            (cells + (index & mask)).deinitialize(count: 1)
            index += 1
        }
        cells.deallocate()
    }

    /// Producer only. Returns false, leaving the ring unchanged, when it is full.
    public func push(_ element: Element) -> Bool {
        let index = tail.load(ordering: .relaxed)
        if index - producerHead == capacity {
            producerHead = head.load(ordering: .acquiring)
            if index - producerHead == capacity { return false }
        }
        (cells + (index & mask)).initialize(to: element)
        tail.store(index + 1, ordering: .releasing)
        return true
    }

    /// Consumer only. The oldest element, or nil when the ring is empty.
    public func pop() -> Element? {
        let index = head.load(ordering: .relaxed)
        if index == consumerTail {
            consumerTail = tail.load(ordering: .acquiring)
            if index == consumerTail { return nil }
        }
        let element = (cells + (index & mask)).move()
        head.store(index + 1, ordering: .releasing)
        return element
    }

    /// Consumer only: whether there is nothing to pop right now.
    public var isEmpty: Bool {
        let index = head.load(ordering: .relaxed)
        if index != consumerTail { return false }
        return index == tail.load(ordering: .sequentiallyConsistent)
    }

    /// Elements currently queued; exact only when called by one side while the other is idle.
    public var approximateCount: Int {
        tail.load(ordering: .relaxed) - head.load(ordering: .relaxed)
    }
}
