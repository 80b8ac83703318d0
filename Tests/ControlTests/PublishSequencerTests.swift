import Testing
import Wire

@testable import Control

/// The publish side of reliable delivery without sockets: what goes out, when, in which order.
@Suite("Publish sequencer")
struct PublishSequencerTests {
    static let second: Int64 = 1_000_000_000
    static let wait: Int64 = 5 * second

    static func item(_ channel: String = "c", id: String? = nil, prev: String? = nil, noSeq: Bool = false) -> PublishItem {
        PublishItem(channel: channel, id: id, prevID: prev, noSeq: noSeq)
    }

    static func sequencer(ttl: Int64 = 60 * second, parkedMax: Int = 100, lastIDsMax: Int = 1_000_000, idCacheMax: Int = 1_000_000) -> PublishSequencer {
        PublishSequencer(idCacheTTLNanos: ttl, waitNanos: wait, parkedPerChannelMax: parkedMax, lastIDsMax: lastIDsMax, idCacheMax: idCacheMax)
    }

    /// Offers on a subscribed channel and returns the ids that went out.
    static func offer(_ sequencer: inout PublishSequencer, _ item: PublishItem, subscribed: Bool = true, at now: Int64 = 0) -> [String] {
        sequencer.offer(item, subscribed: subscribed, now: now).map { $0.item.id ?? "-" }
    }

    @Test func inOrderItemsGoOutAtOnce() {
        var sequencer = Self.sequencer()
        #expect(Self.offer(&sequencer, Self.item(id: "1")) == ["1"])
        #expect(Self.offer(&sequencer, Self.item(id: "2", prev: "1")) == ["2"])
        #expect(sequencer.lastIDs["c"] == "2")
        #expect(sequencer.parkedCount == 0)
        #expect(sequencer.counters == .init())
    }

    @Test func theFirstItemOfAChannelIsNotHeld() {
        var sequencer = Self.sequencer()
        #expect(Self.offer(&sequencer, Self.item(id: "7", prev: "6")) == ["7"])
        #expect(sequencer.lastIDs["c"] == "7")
    }

    @Test func anOutOfOrderItemWaitsForItsPredecessorThenTheChainFollows() {
        var sequencer = Self.sequencer()
        _ = Self.offer(&sequencer, Self.item(id: "1"))
        #expect(Self.offer(&sequencer, Self.item(id: "4", prev: "3"), at: 1) == [])
        #expect(Self.offer(&sequencer, Self.item(id: "3", prev: "2"), at: 2) == [])
        #expect(sequencer.parkedCount == 2)
        let released = sequencer.offer(Self.item(id: "2", prev: "1"), subscribed: true, now: 3)
        #expect(released.map { $0.item.id } == ["2", "3", "4"])
        #expect(released.map(\.offeredAt) == [3, 2, 1], "parked items keep the time they were offered")
        #expect(sequencer.lastIDs["c"] == "4")
        #expect(sequencer.parkedCount == 0)
        #expect(sequencer.counters.parked == 2)
        #expect(sequencer.counters.releasedInOrder == 2)
        #expect(sequencer.nextDeadline != nil, "a released item's deadline may stay until it passes")
        #expect(sequencer.expire(now: Self.wait + 10).isEmpty)
        #expect(sequencer.nextDeadline == nil)
    }

    @Test func aParkedItemGoesOutWhenItsWaitEndsWithTheChainBehindIt() {
        var sequencer = Self.sequencer()
        _ = Self.offer(&sequencer, Self.item(id: "1"))
        _ = Self.offer(&sequencer, Self.item(id: "3", prev: "2"), at: 10)
        _ = Self.offer(&sequencer, Self.item(id: "4", prev: "3"), at: 20)
        #expect(sequencer.nextDeadline == 10 + Self.wait)
        #expect(sequencer.expire(now: 9 + Self.wait).isEmpty)
        #expect(sequencer.expire(now: 10 + Self.wait).map { $0.item.id } == ["3", "4"])
        #expect(sequencer.counters.releasedByTimeout == 1)
        #expect(sequencer.counters.releasedInOrder == 1)
        #expect(sequencer.lastIDs["c"] == "4")
        // The late predecessor's prev-id is no longer the last id: it waits in its turn.
        #expect(Self.offer(&sequencer, Self.item(id: "2", prev: "1"), at: 30) == [])
        #expect(sequencer.expire(now: 30 + Self.wait).map { $0.item.id } == ["2"])
    }

    @Test func waitsEndInTheOrderItemsWereParkedAcrossChannels() {
        var sequencer = Self.sequencer()
        _ = Self.offer(&sequencer, Self.item("a", id: "1"))
        _ = Self.offer(&sequencer, Self.item("b", id: "1"))
        _ = Self.offer(&sequencer, Self.item("b", id: "x", prev: "9"), at: 1)
        _ = Self.offer(&sequencer, Self.item("a", id: "y", prev: "9"), at: 2)
        _ = Self.offer(&sequencer, Self.item("a", id: "z", prev: "8"), at: 3)
        let released = sequencer.expire(now: 2 + Self.wait)
        #expect(released.map { "\($0.item.channel)\($0.item.id!)" } == ["bx", "ay"])
        #expect(sequencer.parkedCount == 1)
        #expect(sequencer.nextDeadline == 3 + Self.wait)
    }

    @Test func anItemWithoutIDClearsTheLastID() {
        var sequencer = Self.sequencer()
        _ = Self.offer(&sequencer, Self.item(id: "1"))
        #expect(Self.offer(&sequencer, Self.item()) == ["-"])
        #expect(sequencer.lastIDs["c"] == nil)
        // With no last id, nothing is held.
        #expect(Self.offer(&sequencer, Self.item(id: "7", prev: "6")) == ["7"])
    }

    @Test func anItemWithoutPrevIDIsNeverHeld() {
        var sequencer = Self.sequencer()
        _ = Self.offer(&sequencer, Self.item(id: "1"))
        #expect(Self.offer(&sequencer, Self.item(id: "5")) == ["5"])
        #expect(sequencer.lastIDs["c"] == "5")
    }

    @Test func aChainEndsAtAnItemWithoutID() {
        var sequencer = Self.sequencer()
        _ = Self.offer(&sequencer, Self.item(id: "1"))
        _ = Self.offer(&sequencer, Self.item(prev: "2"))
        #expect(Self.offer(&sequencer, Self.item(id: "2", prev: "1")) == ["2", "-"])
        #expect(sequencer.lastIDs["c"] == nil)
    }

    @Test func noSeqBypassesAndLeavesTheLastIDAlone() {
        var sequencer = Self.sequencer()
        _ = Self.offer(&sequencer, Self.item(id: "1"))
        #expect(Self.offer(&sequencer, Self.item(id: "9", prev: "8", noSeq: true)) == ["9"])
        #expect(sequencer.lastIDs["c"] == "1")
        #expect(Self.offer(&sequencer, Self.item(id: "2", prev: "1")) == ["2"])
    }

    @Test func channelsWithoutSubscribersAreNotSequenced() {
        var sequencer = Self.sequencer()
        _ = Self.offer(&sequencer, Self.item(id: "1"))
        #expect(Self.offer(&sequencer, Self.item(id: "5", prev: "4"), subscribed: false) == ["5"])
        #expect(sequencer.lastIDs["c"] == "1", "an unsequenced item does not move the last id")
        #expect(Self.offer(&sequencer, Self.item("quiet", id: "1"), subscribed: false) == ["1"])
        #expect(sequencer.lastIDs["quiet"] == nil)
    }

    @Test func aSecondItemWithTheSamePrevIDIsDropped() {
        var sequencer = Self.sequencer()
        _ = Self.offer(&sequencer, Self.item(id: "1"))
        _ = Self.offer(&sequencer, Self.item(id: "3", prev: "2"))
        #expect(Self.offer(&sequencer, Self.item(id: "3b", prev: "2")) == [])
        #expect(sequencer.counters.droppedSamePrevID == 1)
        #expect(sequencer.parkedCount == 1)
        #expect(Self.offer(&sequencer, Self.item(id: "2", prev: "1")) == ["2", "3"])
    }

    @Test func aChannelParksAtMostItsLimit() {
        var sequencer = Self.sequencer(parkedMax: 100)
        _ = Self.offer(&sequencer, Self.item(id: "0"))
        for index in 2...101 { _ = Self.offer(&sequencer, Self.item(id: "\(index)", prev: "\(index - 1)")) }
        #expect(sequencer.parkedCount == 100)
        #expect(Self.offer(&sequencer, Self.item(id: "200", prev: "199")) == [])
        #expect(sequencer.counters.droppedOverflow == 1)
        #expect(sequencer.parkedCount == 100)
        // Another channel has its own limit.
        _ = Self.offer(&sequencer, Self.item("other", id: "0"))
        #expect(Self.offer(&sequencer, Self.item("other", id: "2", prev: "1")) == [])
        #expect(sequencer.parkedCount == 101)
        // The missing link releases the whole chain, in order.
        let released = Self.offer(&sequencer, Self.item(id: "1", prev: "0"))
        #expect(released == (1...101).map(String.init))
        #expect(sequencer.parkedCount == 1)
    }

    @Test func duplicatesWithinTheTTLAreDroppedWhereverTheyGo() {
        var sequencer = Self.sequencer(ttl: 60 * Self.second)
        #expect(Self.offer(&sequencer, Self.item(id: "1"), at: 0) == ["1"])
        #expect(Self.offer(&sequencer, Self.item(id: "1"), at: 59 * Self.second) == [])
        // Unsequenced and no-seq items are de-duplicated too; the id is per channel.
        #expect(Self.offer(&sequencer, Self.item(id: "1", noSeq: true), at: 1) == [])
        #expect(Self.offer(&sequencer, Self.item(id: "1"), subscribed: false, at: 1) == [])
        #expect(Self.offer(&sequencer, Self.item("other", id: "1"), at: 1) == ["1"])
        #expect(sequencer.counters.duplicatesDropped == 3)
        // Items without an id are never duplicates.
        #expect(Self.offer(&sequencer, Self.item(), at: 2) == ["-"])
        #expect(Self.offer(&sequencer, Self.item(), at: 2) == ["-"])
        // Once the TTL has passed, the id is new again.
        #expect(Self.offer(&sequencer, Self.item(id: "1"), at: 60 * Self.second) == ["1"])
    }

    @Test func aParkedItemsIDCountsAsSeen() {
        var sequencer = Self.sequencer()
        _ = Self.offer(&sequencer, Self.item(id: "1"))
        _ = Self.offer(&sequencer, Self.item(id: "3", prev: "2"))
        #expect(Self.offer(&sequencer, Self.item(id: "3", prev: "2")) == [])
        #expect(sequencer.counters.duplicatesDropped == 1)
        #expect(sequencer.counters.droppedSamePrevID == 0)
    }

    @Test func zeroTTLTurnsDeDuplicationOff() {
        var sequencer = Self.sequencer(ttl: 0)
        #expect(Self.offer(&sequencer, Self.item(id: "1")) == ["1"])
        #expect(Self.offer(&sequencer, Self.item(id: "1")) == ["1"])
        #expect(sequencer.counters.duplicatesDropped == 0)
    }

    @Test func losingTheLastSubscriberForgetsTheLastIDAndDropsParkedItems() {
        var sequencer = Self.sequencer()
        _ = Self.offer(&sequencer, Self.item(id: "1"))
        _ = Self.offer(&sequencer, Self.item(id: "3", prev: "2"))
        _ = Self.offer(&sequencer, Self.item(id: "4", prev: "3"))
        sequencer.channelLost("c")
        #expect(sequencer.lastIDs["c"] == nil)
        #expect(sequencer.parkedCount == 0)
        #expect(sequencer.counters.droppedUnsubscribed == 2)
        #expect(sequencer.expire(now: Self.wait).isEmpty, "a dropped item's deadline releases nothing")
        // A new subscriber's first item is not held.
        #expect(Self.offer(&sequencer, Self.item(id: "9", prev: "8")) == ["9"])
    }

    @Test func recoverForgetsLastIDsButParkedItemsKeepWaiting() {
        var sequencer = Self.sequencer()
        _ = Self.offer(&sequencer, Self.item("a", id: "1"))
        _ = Self.offer(&sequencer, Self.item("b", id: "1"))
        _ = Self.offer(&sequencer, Self.item("a", id: "y", prev: "99"))
        sequencer.forgetLastIDs()
        #expect(sequencer.lastIDs.count == 0)
        #expect(Self.offer(&sequencer, Self.item("a", id: "5", prev: "9"), at: 1) == ["5"])
        #expect(Self.offer(&sequencer, Self.item("b", id: "5", prev: "9"), at: 1) == ["5"])
        #expect(sequencer.parkedCount == 1)
        #expect(sequencer.expire(now: Self.wait).map { $0.item.id } == ["y"])
    }

    @Test func lastIDsAreBoundedLeastRecentlyWrittenFirst() {
        var sequencer = Self.sequencer(lastIDsMax: 3)
        for channel in ["a", "b", "c"] { _ = Self.offer(&sequencer, Self.item(channel, id: "1")) }
        _ = Self.offer(&sequencer, Self.item("a", id: "2", prev: "1"))  // a is now the most recent
        _ = Self.offer(&sequencer, Self.item("d", id: "1"))
        #expect(sequencer.lastIDs.count == 3)
        #expect(sequencer.lastIDs["b"] == nil, "b was written longest ago")
        #expect(sequencer.lastIDs["a"] == "2")
        #expect(sequencer.lastIDs["c"] == "1")
        #expect(sequencer.lastIDs["d"] == "1")
        // A forgotten channel holds nothing.
        #expect(Self.offer(&sequencer, Self.item("b", id: "5", prev: "4")) == ["5"])
    }
}

@Suite("Last-id table")
struct LastIDTableTests {
    @Test func rewritingOneChannelKeepsItsPlaceBookBounded() {
        var table = LastIDTable(capacity: 10)
        for index in 0..<10_000 { table.set("\(index)", for: "hot") }
        #expect(table["hot"] == "9999")
        #expect(table.count == 1)
        // Nine other channels fit beside it without evicting it.
        for index in 0..<9 { table.set("x", for: "c\(index)") }
        #expect(table["hot"] == "9999")
        table.set("x", for: "c9")
        #expect(table["hot"] == nil, "hot was written longest ago")
        #expect(table.count == 10)
    }

    @Test func removedChannelsAreNotEvictedTwice() {
        var table = LastIDTable(capacity: 2)
        table.set("1", for: "a")
        table.set("1", for: "b")
        table.remove("a")
        table.set("1", for: "c")
        #expect(table["b"] == "1", "a's old place must not evict b")
        #expect(table["c"] == "1")
        #expect(table.count == 2)
    }

    @Test func matchesAnLRUModel() {
        var table = LastIDTable(capacity: 8)
        var model: [(channel: String, id: String)] = []
        var state: UInt64 = 12345
        for step in 0..<5_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let channel = "c\((state >> 33) % 13)"
            if (state >> 20) % 5 == 0 {
                table.remove(channel)
                model.removeAll { $0.channel == channel }
            } else {
                let id = "\(step)"
                table.set(id, for: channel)
                model.removeAll { $0.channel == channel }
                if model.count >= 8 { model.removeFirst() }
                model.append((channel, id))
            }
            for index in 0..<13 {
                let name = "c\(index)"
                #expect(table[name] == model.first { $0.channel == name }?.id, "step \(step), \(name)")
            }
            #expect(table.count == model.count)
        }
    }
}

@Suite("Publish id cache")
struct PublishIDCacheTests {
    @Test func pairsExpireAfterTheTTL() {
        var cache = PublishIDCache(ttlNanos: 10)
        let answers = [
            cache.insert(channel: "a", id: "1", now: 0),
            cache.insert(channel: "a", id: "1", now: 9),
            cache.insert(channel: "b", id: "1", now: 9),
            cache.insert(channel: "a", id: "1", now: 10),
        ]
        #expect(answers == [true, false, true, true])
        #expect(cache.count == 2)
        _ = cache.insert(channel: "c", id: "1", now: 100)
        #expect(cache.count == 1, "expired pairs are forgotten")
    }

    @Test func pastItsCapacityTheOldestPairGoesEarly() {
        var cache = PublishIDCache(ttlNanos: 1_000, capacity: 3)
        let fresh = ["1", "2", "3", "4"].map { cache.insert(channel: "a", id: $0, now: 0) }
        #expect(fresh == [true, true, true, true])
        #expect(cache.count == 3)
        let oldest = cache.insert(channel: "a", id: "1", now: 1)
        #expect(oldest, "the oldest pair was forgotten")
        let newest = cache.insert(channel: "a", id: "4", now: 1)
        #expect(!newest)
    }
}
