import SeededRandom
import Testing

@testable import Shard

@Suite struct SubscriptionTableTests {
    @Test func firstAddCreatesTheChannelLaterAddsJoinIt() {
        var table = SubscriptionTable()
        let (a, aFirst) = table.add("news", slot: 4)
        let (b, bFirst) = table.add("news", slot: 9)
        let (c, cFirst) = table.add("sport", slot: 4)
        #expect(aFirst && !bFirst && cFirst)
        #expect(a.channel === b.channel && a.channel !== c.channel)
        #expect(a.index == 0 && b.index == 1 && c.index == 0)
        #expect(table.count == 3)
        #expect(table.channels.count == 2)
        #expect(table.subscribers(of: "news")?.members == [4, 9])
        #expect(table.subscribers(of: "news")?.name == "news")
        #expect(table.subscribers(of: "weather") == nil)
    }

    /// The fan-out takes its shared-bytes walk only while a channel counts no filtered member.
    @Test func filteredMembersAreCountedPerChannel() {
        var table = SubscriptionTable()
        let plain = table.add("news", slot: 1).subscription
        let filtered = table.add("news", slot: 2, filtered: true).subscription
        let other = table.add("sport", slot: 2, filtered: true).subscription
        #expect(table.subscribers(of: "news")?.filteredCount == 1)
        #expect(table.subscribers(of: "sport")?.filteredCount == 1)
        _ = table.remove(plain)
        #expect(table.subscribers(of: "news")?.filteredCount == 1)
        var moved = filtered
        moved.index = 0  // the filtered member moved into the freed place
        _ = table.remove(moved)
        #expect(table.subscribers(of: "news") == nil)
        _ = table.remove(other)
        let again = table.add("sport", slot: 3).subscription
        #expect(table.subscribers(of: "sport")?.filteredCount == 0)
        _ = table.remove(again)
    }

    @Test func channelNamesAreExact() {
        var table = SubscriptionTable()
        #expect(table.add("News", slot: 1).isFirst)
        #expect(table.add("news", slot: 1).isFirst, "case matters")
        #expect(table.add("news ", slot: 1).isFirst)
        #expect(table.channels.count == 3)
    }

    @Test func removingTheLastMemberMovesNothing() {
        var table = SubscriptionTable()
        _ = table.add("c", slot: 1)
        let (second, _) = table.add("c", slot: 2)
        let (moved, isLast) = table.remove(second)
        #expect(moved == nil && !isLast)
        #expect(table.subscribers(of: "c")?.members == [1])
        #expect(table.count == 1)
    }

    @Test func removingFromTheMiddleSwapsTheLastMemberIn() {
        var table = SubscriptionTable()
        let (first, _) = table.add("c", slot: 10)
        _ = table.add("c", slot: 20)
        _ = table.add("c", slot: 30)
        let (moved, isLast) = table.remove(first)
        #expect(moved == 30, "slot 30 now sits at index 0; its owner must update its index")
        #expect(!isLast)
        #expect(table.subscribers(of: "c")?.members == [30, 20])
    }

    @Test func removingTheOnlyMemberDropsTheChannel() {
        var table = SubscriptionTable()
        let (only, _) = table.add("c", slot: 5)
        let (moved, isLast) = table.remove(only)
        #expect(moved == nil && isLast)
        #expect(table.subscribers(of: "c") == nil)
        #expect(table.channels.isEmpty && table.count == 0)
        let (again, isFirst) = table.add("c", slot: 5)
        #expect(isFirst, "a channel emptied and used again is new again")
        #expect(again.channel !== only.channel)
    }

    @Test func theTableDoesNotDeduplicateCallersMust() {
        var table = SubscriptionTable()
        _ = table.add("c", slot: 1)
        let (twice, isFirst) = table.add("c", slot: 1)
        #expect(!isFirst && twice.index == 1)
        #expect(table.subscribers(of: "c")?.members == [1, 1])
        #expect(table.count == 2)
    }

    /// 10,000 random subscribes/unsubscribes against a set model, with index fix-ups done the
    /// way the shard does them (the moved slot's subscription takes the removed index).
    @Test func matchesASetModelOverManyOperations() {
        var random = SeededRandom(seed: 2024)
        var table = SubscriptionTable()
        let slots = 0..<UInt32(60)
        let channelNames = (0..<12).map { "ch\($0)" }
        var model: [String: Set<UInt32>] = [:]
        /// What each connection holds: channel → its Subscription.
        var held: [UInt32: [String: Subscription]] = [:]
        var total = 0

        func checkChannel(_ name: String) {
            let members = model[name] ?? []
            guard let entry = table.subscribers(of: name) else {
                #expect(members.isEmpty, "channel \(name) vanished while it had members")
                return
            }
            #expect(entry.members.count == members.count)
            #expect(Set(entry.members) == members)
            for slot in members {
                guard let subscription = held[slot]?[name] else {
                    Issue.record("slot \(slot) lost its subscription to \(name)")
                    continue
                }
                #expect(subscription.channel === entry)
                #expect(entry.members.indices.contains(subscription.index) && entry.members[subscription.index] == slot)
            }
        }

        for step in 0..<10_000 {
            let slot = UInt32.random(in: slots, using: &random)
            let name = channelNames[Int.random(in: 0..<channelNames.count, using: &random)]
            if let subscription = held[slot]?[name] {
                let (moved, isLast) = table.remove(subscription)
                model[name]?.remove(slot)
                if model[name]?.isEmpty == true { model[name] = nil }
                held[slot]?[name] = nil
                total -= 1
                #expect(isLast == (model[name] == nil))
                if let moved {
                    #expect(moved != slot)
                    #expect(held[moved]?[name] != nil, "the moved slot is a member")
                    held[moved]?[name]?.index = subscription.index
                } else {
                    let remaining = table.subscribers(of: name)?.members.count ?? 0
                    #expect(subscription.index == remaining, "nothing moves only when the removed one was last")
                }
            } else {
                let wasEmpty = model[name] == nil
                let (subscription, isFirst) = table.add(name, slot: slot)
                #expect(isFirst == wasEmpty)
                model[name, default: []].insert(slot)
                held[slot, default: [:]][name] = subscription
                total += 1
            }
            #expect(table.count == total)
            checkChannel(name)
            if step % 1_000 == 999 {
                #expect(Set(table.channels.keys) == Set(model.keys))
                for name in channelNames { checkChannel(name) }
            }
        }
        // Unsubscribe everyone: every channel goes away exactly at its last member.
        for slot in slots {
            for (name, _) in held[slot] ?? [:] {
                guard let subscription = held[slot]?[name] else { continue }
                let (moved, isLast) = table.remove(subscription)
                model[name]?.remove(slot)
                if model[name]?.isEmpty == true { model[name] = nil }
                held[slot]?[name] = nil
                if let moved { held[moved]?[name]?.index = subscription.index }
                #expect(isLast == (model[name] == nil))
            }
        }
        #expect(table.count == 0 && table.channels.isEmpty)
    }

    @Test func releasingSpareCapacityKeepsMembersAndTheirPositions() {
        var table = SubscriptionTable()
        var subscriptions: [Subscription] = []
        for slot in 0..<2000 as Range<UInt32> {
            subscriptions.append(table.add(slot % 2 == 0 ? "even-\(slot)" : "odd", slot: slot).subscription)
        }
        // Most go: the index keeps room for 1,000 channels and "odd" for 1,000 members.
        for subscription in subscriptions.reversed() where subscription.channel.name != "odd" || subscription.index >= 3 {
            _ = table.remove(subscription)
        }
        #expect(table.channels.count == 1)
        #expect(table.channels.capacity >= 1000)
        #expect(table.subscribers(of: "odd")!.members.capacity >= 1000)

        table.releaseSpareCapacity()
        #expect(table.channels.capacity < 16)
        let odd = table.subscribers(of: "odd")!
        #expect(odd.members == [1, 3, 5])
        #expect(odd.members.capacity < 16)
        // The positions subscriptions hold still point at their members.
        let (moved, _) = table.remove(subscriptions[1])
        #expect(moved == 5 && odd.members == [5, 3])
        #expect(table.add("even-0", slot: 7).isFirst)
    }
}
