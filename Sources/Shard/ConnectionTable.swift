import IOUring

/// One connection in a `ConnectionTable`: its slot and the generation it opened with. Tags,
/// timers and queues of later work carry a handle, never the object, so a connection that
/// closed in the meantime (its slot free or serving another) is recognised as gone.
struct ConnectionHandle: Hashable {
    var slot: UInt32
    var generation: UInt32

    init(slot: UInt32, generation: UInt32) {
        self.slot = slot
        self.generation = generation
    }

    /// The connection whose operation a completion belongs to.
    init(_ userData: UserData) {
        self.init(slot: userData.slot, generation: userData.generation)
    }
}

/// What a `ConnectionTable` holds: a connection object whose generation is in the tag of every
/// operation it submits.
protocol SlotOccupant: AnyObject {
    var slot: UInt32 { get }
    /// Bumped when a connection opens in the slot and when it closes: a tag or timer with
    /// another generation belongs to an earlier connection and is stale.
    var generation: UInt32 { get }
    /// Connecting or open (see `SocketState.isLive`): not closing, not closed.
    var isLive: Bool { get }
    /// The stand-in for slots whose object was given back: its generation is above the 24 bits
    /// a tag carries, so nothing ever matches it, and it holds no socket.
    static func vacant() -> Self
}

extension SlotOccupant {
    /// The connection now in this object's slot.
    var handle: ConnectionHandle { ConnectionHandle(slot: slot, generation: generation) }
}

/// A shard's connection objects by slot, the slots free for reuse, and the one place a handle
/// (from a completion's tag, a timer or a queue) is checked against the connection now in its
/// slot.
///
/// A slot's object serves one connection after another. The table hands out the lowest free
/// slot, so live connections gather at the front. After a peak, `shrink()` drops the free
/// slots at the end and gives back the objects of the other free slots, keeping only their
/// last generation. A slot's next object starts at that generation (or, for a slot dropped
/// from the end, above every generation the table dropped), so a late timer tagged for the
/// slot's earlier life is still stale. `occupant(_:)` checks a handle's slot against `count`
/// first, since the slot may be gone; a slot without its object reads as `vacant()`, whose
/// generation matches no tag.
///
/// A slot is released only once nothing is in flight on it (see `SocketState`), so no
/// completion can arrive for a slot that lost its object; timers may, and find it stale.
struct ConnectionTable<Element: SlotOccupant>: Sequence {
    /// nil: a free slot whose object was given back.
    private var elements: [Element?] = []
    /// The last generation of each slot whose object was given back.
    private var vacatedGenerations: [UInt32] = []
    /// The free slots as a binary min-heap.
    private var free: [UInt32] = []
    /// At least the last generation of every slot dropped from the end so far.
    private(set) var generationFloor: UInt32 = 0
    private(set) var vacatedCount = 0
    private let vacant = Element.vacant()

    init() {
        precondition(vacant.generation > UserData.generationMask, "a vacant slot's generation must match no tag")
    }

    /// Slots, with or without their object.
    var count: Int { elements.count }
    var freeCount: Int { free.count }
    /// Slots whose object is held: open connections and free slots kept for reuse.
    var heldCount: Int { elements.count - vacatedCount }

    subscript(slot: Int) -> Element { elements[slot] ?? vacant }

    /// The object whose connection `handle` names, live or closing; nil once that connection
    /// has closed (its slot is gone, vacant or serves a later connection). Completion handlers
    /// use this: a closing connection still counts down its operations in flight.
    func occupant(_ handle: ConnectionHandle) -> Element? {
        guard Int(handle.slot) < elements.count, let element = elements[Int(handle.slot)],
            element.generation == handle.generation
        else { return nil }
        return element
    }

    /// The object whose connection `handle` names while that connection is live (connecting or
    /// open); nil once it is closing or gone. Timers and queued work use this.
    func live(_ handle: ConnectionHandle) -> Element? {
        guard let element = occupant(handle), element.isLive else { return nil }
        return element
    }

    /// The held objects, open or free, in slot order.
    func makeIterator() -> Iterator { Iterator(base: elements.makeIterator()) }

    struct Iterator: IteratorProtocol {
        fileprivate var base: IndexingIterator<[Element?]>

        mutating func next() -> Element? {
            while let element = base.next() {
                if let element { return element }
            }
            return nil
        }
    }

    /// The object of the lowest free slot, or a new object that `make` builds from its slot
    /// number and starting generation (for a slot that gave its object back, or a new slot
    /// at the end).
    mutating func take(orMake make: (_ slot: UInt32, _ generation: UInt32) -> Element) -> Element {
        guard let slot = popLowestFree() else {
            let element = make(UInt32(elements.count), generationFloor)
            elements.append(element)
            vacatedGenerations.append(0)
            return element
        }
        if let element = elements[Int(slot)] { return element }
        let element = make(slot, vacatedGenerations[Int(slot)])
        elements[Int(slot)] = element
        vacatedCount -= 1
        return element
    }

    /// `slot` is free again: its connection is closed and nothing is in flight on it.
    mutating func release(_ slot: UInt32) {
        precondition(Int(slot) < elements.count, "released slot \(slot) is not in the table")
        free.append(slot)
        var child = free.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard free[parent] > free[child] else { break }
            free.swapAt(parent, child)
            child = parent
        }
    }

    /// Drops the free slots at the end of the table, gives back the objects of the other free
    /// slots and the spare capacity of the lists. Returns how many objects were given back.
    @discardableResult
    mutating func shrink() -> Int {
        let heldBefore = heldCount
        free.sort()  // ascending order is a valid min-heap
        var end = elements.count
        while let last = free.last, Int(last) == end - 1 {
            free.removeLast()
            end -= 1
        }
        for slot in end..<elements.count {
            generationFloor = Swift.max(generationFloor, elements[slot]?.generation ?? vacatedGenerations[slot])
            if elements[slot] == nil { vacatedCount -= 1 }
        }
        elements = elements[..<end].withExactCapacity()
        vacatedGenerations = vacatedGenerations[..<end].withExactCapacity()
        for slot in free {
            guard let element = elements[Int(slot)] else { continue }
            vacatedGenerations[Int(slot)] = element.generation
            elements[Int(slot)] = nil
            vacatedCount += 1
        }
        free = free[...].withExactCapacity()
        return heldBefore - heldCount
    }

    private mutating func popLowestFree() -> UInt32? {
        guard let lowest = free.first else { return nil }
        let last = free.removeLast()
        guard !free.isEmpty else { return lowest }
        free[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < free.count else { break }
            let right = left + 1
            let child = right < free.count && free[right] < free[left] ? right : left
            guard free[child] < free[parent] else { break }
            free.swapAt(parent, child)
            parent = child
        }
        return lowest
    }
}
