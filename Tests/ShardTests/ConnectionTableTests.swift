import IOUring
import SeededRandom
import Testing

@testable import Shard

@Suite struct ConnectionTableTests {
    /// A connection object as the shard uses it: the generation goes up by one when a connection
    /// opens in the slot and by one when it closes.
    final class Occupant: SlotOccupant {
        let slot: UInt32
        var generation: UInt32
        var open = false
        /// Open and not yet closing (a close in progress keeps the generation until it is done).
        var closing = false
        var isLive: Bool { open && !closing }

        init(slot: UInt32, generation: UInt32) {
            self.slot = slot
            self.generation = generation
        }

        static func vacant() -> Occupant { Occupant(slot: .max, generation: .max) }
    }

    /// Opens a connection in the table's next slot, as `openClient` does.
    @discardableResult
    static func open(_ table: inout ConnectionTable<Occupant>) -> Occupant {
        let occupant = table.take { Occupant(slot: $0, generation: $1) }
        #expect(!occupant.open, "slot \(occupant.slot) handed out while occupied")
        occupant.generation = (occupant.generation &+ 1) & UserData.generationMask
        occupant.open = true
        return occupant
    }

    /// Closes it and frees the slot, as `finishClientClose` does.
    static func close(_ occupant: Occupant, in table: inout ConnectionTable<Occupant>) {
        occupant.open = false
        occupant.closing = false
        occupant.generation = (occupant.generation &+ 1) & UserData.generationMask
        table.release(occupant.slot)
    }

    @Test func handsOutTheLowestFreeSlotFirst() {
        var table = ConnectionTable<Occupant>()
        let occupants = (0..<6).map { _ in Self.open(&table) }
        #expect(occupants.map(\.slot) == [0, 1, 2, 3, 4, 5])
        for slot in [4, 1, 3] { Self.close(occupants[slot], in: &table) }
        #expect(table.freeCount == 3)
        #expect(Self.open(&table).slot == 1)
        #expect(Self.open(&table).slot == 3)
        #expect(Self.open(&table).slot == 4)
        #expect(Self.open(&table).slot == 6, "a new slot once none is free")
        #expect(table.count == 7 && table.freeCount == 0)
    }

    /// The one stale check: a handle finds its connection while it is open, `live` stops
    /// finding it once its close starts, `occupant` (completions) once the close is done, and
    /// neither finds a later connection in the same slot, a vacated slot or a dropped one.
    @Test func aHandleResolvesOnlyToItsOwnConnection() {
        var table = ConnectionTable<Occupant>()
        let first = Self.open(&table)
        let second = Self.open(&table)
        let handle = first.handle
        #expect(table.live(handle) === first && table.occupant(handle) === first)
        #expect(table.occupant(ConnectionHandle(UserData(op: 3, generation: handle.generation, slot: handle.slot))) === first)

        first.closing = true
        #expect(table.live(handle) == nil, "closing: no new work")
        #expect(table.occupant(handle) === first, "closing: its completions still count down")

        Self.close(first, in: &table)
        #expect(table.occupant(handle) == nil && table.live(handle) == nil, "closed: stale")
        let reopened = Self.open(&table)
        #expect(reopened === first && reopened.slot == handle.slot)
        #expect(table.occupant(handle) == nil, "a later connection in the slot")
        #expect(table.live(reopened.handle) === reopened)

        Self.close(reopened, in: &table)
        Self.close(second, in: &table)
        let secondHandle = second.handle
        table.shrink()
        #expect(table.occupant(secondHandle) == nil, "dropped slot")
        #expect(table.occupant(ConnectionHandle(slot: 7, generation: 1)) == nil, "never a slot")
        #expect(table.occupant(ConnectionHandle(slot: 0, generation: UInt32.max)) == nil, "vacant stand-in never matches")
    }

    @Test func shrinkDropsTheFreeTailAndGivesBackTheOtherFreeObjects() {
        var table = ConnectionTable<Occupant>()
        let occupants = (0..<10).map { _ in Self.open(&table) }
        for slot in [2, 5, 7, 8, 9] { Self.close(occupants[slot], in: &table) }
        #expect(table.heldCount == 10)
        #expect(table.shrink() == 5)
        #expect(table.count == 7, "slots 7, 8 and 9 dropped; slot 6 is open")
        #expect(table.heldCount == 5 && table.vacatedCount == 2)
        #expect(table.freeCount == 2)
        #expect(table.map(\.slot) == [0, 1, 3, 4, 6], "iteration skips slots without their object")
        #expect(table[2] !== occupants[2] && table[2].generation > UserData.generationMask, "slot 2 reads as vacant")
        let reopened = Self.open(&table)
        #expect(reopened.slot == 2 && reopened !== occupants[2], "a new object for the vacated slot")
        #expect(reopened.generation == occupants[2].generation + 1, "continuing the slot's generations")
        #expect(Self.open(&table).slot == 5)
        #expect(Self.open(&table).slot == 7)
        #expect(table.heldCount == 8 && table.vacatedCount == 0)
    }

    @Test func shrinkWithTheLastSlotOpenKeepsTheSlotsButNotTheirObjects() {
        var table = ConnectionTable<Occupant>()
        let occupants = (0..<4).map { _ in Self.open(&table) }
        for slot in 0..<3 { Self.close(occupants[slot], in: &table) }
        #expect(table.shrink() == 3)
        #expect(table.count == 4 && table.freeCount == 3 && table.heldCount == 1)
        #expect(Self.open(&table).slot == 0, "the free slots are still handed out")
    }

    @Test func aStaleTimerNeverMatchesAVacatedSlot() {
        var table = ConnectionTable<Occupant>()
        let occupants = (0..<3).map { _ in Self.open(&table) }
        let timerGeneration = occupants[1].generation
        Self.close(occupants[1], in: &table)
        table.shrink()
        // What a timer handler does with the tag's slot and generation.
        #expect(table[1].generation != timerGeneration)
        #expect(table[1].generation != (timerGeneration + 1) & UserData.generationMask)
        #expect(!table.contains { $0.slot == 1 })
    }

    @Test func aSlotCreatedAgainStartsAboveEveryDroppedGeneration() {
        var table = ConnectionTable<Occupant>()
        let first = (0..<3).map { _ in Self.open(&table) }
        // Slot 2 sees many connections, so its generation runs ahead of the others.
        Self.close(first[2], in: &table)
        for _ in 0..<50 { Self.close(Self.open(&table), in: &table) }
        let staleTag = UserData(op: 1, generation: first[2].generation &- 1, slot: 2)
        Self.close(first[0], in: &table)
        Self.close(first[1], in: &table)
        let lastGeneration = table[2].generation
        #expect(table.shrink() == 3)
        #expect(table.count == 0)
        #expect(table.generationFloor >= lastGeneration)

        let again = (0..<3).map { _ in Self.open(&table) }
        #expect(again.map(\.slot) == [0, 1, 2])
        #expect(again[2] !== first[2], "a new object for the dropped slot")
        for occupant in again {
            #expect(occupant.generation > lastGeneration, "slot \(occupant.slot) restarted at \(occupant.generation)")
        }
        #expect(again[2].generation != staleTag.generation, "a late tag for the dropped slot is still stale")
    }

    @Test func emptyTableShrinksToNothing() {
        var table = ConnectionTable<Occupant>()
        #expect(table.shrink() == 0)
        #expect(table.count == 0)
        #expect(Self.open(&table).slot == 0)
    }

    /// Random opens, closes and shrinks against a model: a slot is never handed out while open,
    /// the lowest free slot always comes first, a shrink keeps exactly the open connections'
    /// objects, and within each slot number the generations only go up, across drops,
    /// vacated objects and re-creations.
    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func matchesAModelUnderRandomChurn(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        var table = ConnectionTable<Occupant>()
        var open: [UInt32: Occupant] = [:]
        var lastGeneration: [UInt32: UInt32] = [:]
        for _ in 0..<6_000 {
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<52:
                let free = (0..<UInt32(table.count)).filter { open[$0] == nil }
                let occupant = Self.open(&table)
                #expect(occupant.slot == free.first ?? UInt32(table.count - 1), "lowest free slot first")
                #expect(open[occupant.slot] == nil)
                if let last = lastGeneration[occupant.slot] {
                    #expect(occupant.generation > last, "slot \(occupant.slot): \(occupant.generation) after \(last)")
                }
                lastGeneration[occupant.slot] = occupant.generation
                open[occupant.slot] = occupant
            case 52..<97:
                guard let slot = open.keys.randomElement(using: &random), let occupant = open.removeValue(forKey: slot) else { continue }
                Self.close(occupant, in: &table)
                lastGeneration[slot] = occupant.generation
            default:
                let highestOpen = open.keys.max().map { Int($0) + 1 } ?? 0
                let before = table.heldCount
                #expect(table.shrink() == before - open.count)
                #expect(table.count == highestOpen)
                #expect(table.heldCount == open.count)
                for slot in 0..<UInt32(table.count) where open[slot] == nil {
                    #expect(table[Int(slot)].generation > UserData.generationMask, "free slot \(slot) keeps its object")
                }
            }
            #expect(table.count - table.freeCount == open.count)
        }
    }
}
