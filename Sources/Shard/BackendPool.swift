/// Idle backend connections by target, waiting for the next request to the same target.
///
/// A connection is named by its slot in the shard's backend table. Each target's idle slots
/// form a doubly linked list threaded through one link per slot, so putting a connection
/// back, taking one and removing one from anywhere in its list (the backend closed it, its
/// idle time ran out) are O(1) and allocate nothing once the arrays have grown to the
/// shard's peak. The most recently used connection is taken first: the backend is the least
/// likely to have closed it already, and the rest age towards their idle timers.
///
/// The pool knows slots only; whether a slot's connection is still usable is the shard's
/// business, which is why it removes a connection here as it closes it.
struct BackendPool {
    /// Idle connections kept per target; a connection put back beyond it is refused (closed).
    let perTargetMax: Int
    /// Idle connections over all targets.
    private(set) var count = 0

    private static let none = UInt32.max

    /// A slot's place in its target's list; `list == none` while the slot is not pooled.
    private struct Link {
        var previous = BackendPool.none
        var next = BackendPool.none
        var list = BackendPool.none
    }

    /// One target's idle slots, least recently used at `oldest`.
    private struct List {
        var oldest = BackendPool.none
        var newest = BackendPool.none
        var count = 0
    }

    private var links: [Link] = []
    private var lists: [List] = []
    private var listOfTarget: [String: UInt32] = [:]

    init(perTargetMax: Int) {
        precondition(perTargetMax >= 0, "a pool cap cannot be negative")
        self.perTargetMax = perTargetMax
    }

    /// Parks `slot` as the most recently used connection to `target`. Returns false (and keeps
    /// nothing) when the target already has `perTargetMax` idle connections.
    mutating func put(_ slot: UInt32, target: String) -> Bool {
        precondition(!contains(slot), "backend slot \(slot) is already pooled")
        let list = listIndex(of: target)
        guard lists[Int(list)].count < perTargetMax else { return false }
        if Int(slot) >= links.count { links.append(contentsOf: repeatElement(Link(), count: Int(slot) + 1 - links.count)) }
        let newest = lists[Int(list)].newest
        links[Int(slot)] = Link(previous: newest, next: Self.none, list: list)
        if newest == Self.none { lists[Int(list)].oldest = slot } else { links[Int(newest)].next = slot }
        lists[Int(list)].newest = slot
        lists[Int(list)].count += 1
        count += 1
        return true
    }

    /// Takes the most recently used idle connection to `target`, if there is one.
    mutating func take(target: String) -> UInt32? {
        guard let list = listOfTarget[target] else { return nil }
        let newest = lists[Int(list)].newest
        guard newest != Self.none else { return nil }
        unlink(newest)
        return newest
    }

    /// Removes `slot` from its target's list, wherever it is. Returns false when it was not pooled.
    @discardableResult
    mutating func remove(_ slot: UInt32) -> Bool {
        guard contains(slot) else { return false }
        unlink(slot)
        return true
    }

    func contains(_ slot: UInt32) -> Bool {
        Int(slot) < links.count && links[Int(slot)].list != Self.none
    }

    /// Idle connections to `target`.
    func count(of target: String) -> Int {
        listOfTarget[target].map { lists[Int($0)].count } ?? 0
    }

    /// Idle slots to `target`, most recently used first (for tests and diagnostics).
    func slots(of target: String) -> [UInt32] {
        guard let list = listOfTarget[target] else { return [] }
        var slots: [UInt32] = []
        var slot = lists[Int(list)].newest
        while slot != Self.none {
            slots.append(slot)
            slot = links[Int(slot)].previous
        }
        return slots
    }

    /// Forgets targets with no idle connection and gives back the links past the highest
    /// pooled slot, after a peak of backend connections or of targets.
    mutating func releaseSpareCapacity() {
        var kept: [List] = []
        var keptTargets: [String: UInt32] = [:]
        for (target, list) in listOfTarget where lists[Int(list)].count > 0 {
            let renumbered = UInt32(kept.count)
            kept.append(lists[Int(list)])
            keptTargets[target] = renumbered
            var slot = lists[Int(list)].oldest
            while slot != Self.none {
                links[Int(slot)].list = renumbered
                slot = links[Int(slot)].next
            }
        }
        lists = kept
        listOfTarget = keptTargets
        let end = (links.lastIndex { $0.list != Self.none } ?? -1) + 1
        links = links[..<end].withExactCapacity()
    }

    private mutating func listIndex(of target: String) -> UInt32 {
        if let list = listOfTarget[target] { return list }
        let list = UInt32(lists.count)
        lists.append(List())
        listOfTarget[target] = list
        return list
    }

    private mutating func unlink(_ slot: UInt32) {
        let link = links[Int(slot)]
        if link.previous == Self.none { lists[Int(link.list)].oldest = link.next } else { links[Int(link.previous)].next = link.next }
        if link.next == Self.none { lists[Int(link.list)].newest = link.previous } else { links[Int(link.next)].previous = link.previous }
        lists[Int(link.list)].count -= 1
        count -= 1
        links[Int(slot)] = Link()
    }
}
