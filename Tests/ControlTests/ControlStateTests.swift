import SeededRandom
import Testing

@testable import Control

@Suite struct InterestMapTests {
    @Test func startsEmpty() {
        let map = InterestMap()
        #expect(map.channelCount == 0)
        #expect(map.shards(for: "x").isEmpty)
    }

    @Test func collectsShardsPerChannel() {
        var map = InterestMap()
        map.subscribed("a", shard: 0)
        map.subscribed("a", shard: 2)
        map.subscribed("a", shard: 2)  // repeated reports are harmless
        map.subscribed("b", shard: 1)
        #expect(map.shards(for: "a") == [0, 2])
        #expect(map.shards(for: "b") == [1])
        #expect(map.shards(for: "A").isEmpty, "channel names are exact")
        #expect(map.channelCount == 2)
    }

    @Test func aChannelIsForgottenWhenItsLastShardLeaves() {
        var map = InterestMap()
        map.subscribed("a", shard: 0)
        map.subscribed("a", shard: 1)
        map.unsubscribed("a", shard: 0)
        #expect(map.shards(for: "a") == [1])
        #expect(map.channelCount == 1)
        map.unsubscribed("a", shard: 1)
        #expect(map.shards(for: "a").isEmpty)
        #expect(map.channelCount == 0)
    }

    @Test func unsubscribingWhatIsNotThereChangesNothing() {
        var map = InterestMap()
        map.unsubscribed("ghost", shard: 3)
        #expect(map.channelCount == 0)
        map.subscribed("a", shard: 1)
        map.unsubscribed("a", shard: 2)
        #expect(map.shards(for: "a") == [1])
        #expect(map.channelCount == 1)
    }

    @Test func givesItsTableBackAfterAPeakOfChannels() {
        var map = InterestMap()
        for index in 0..<10_000 { map.subscribed("c\(index)", shard: index % 3) }
        let peak = map.capacity
        #expect(peak >= 10_000)
        for index in 5..<10_000 { map.unsubscribed("c\(index)", shard: index % 3) }
        #expect(map.channelCount == 5)
        #expect(map.capacity < 100, "still room for \(map.capacity) channels after the peak of \(peak)")
        for index in 0..<5 { #expect(map.shards(for: "c\(index)") == [index % 3]) }
        #expect(map.shards(for: "c5").isEmpty)
    }

    @Test func matchesASetModel() {
        var random = SeededRandom(seed: 77)
        var map = InterestMap()
        var model: [String: Set<Int>] = [:]
        for _ in 0..<5_000 {
            let channel = "c\(Int.random(in: 0..<15, using: &random))"
            let shard = Int.random(in: 0..<4, using: &random)
            if Bool.random(using: &random) {
                map.subscribed(channel, shard: shard)
                model[channel, default: []].insert(shard)
            } else {
                map.unsubscribed(channel, shard: shard)
                model[channel]?.remove(shard)
                if model[channel]?.isEmpty == true { model[channel] = nil }
            }
            #expect(map.shards(for: channel) == model[channel] ?? [])
            #expect(map.channelCount == model.count)
        }
    }
}

@Suite struct StatsQueryTests {
    @Test func completeOnceEveryShardAnsweredThisSequence() {
        var query = StatsQuery(sequence: 9, shards: 3, deadline: 1_000)
        #expect(query.sequence == 9 && query.deadline == 1_000)
        #expect(query.waiters.isEmpty)
        #expect(!query.complete)
        query.received(shard: 1, sequence: 9)
        query.received(shard: 1, sequence: 9)  // a repeat is harmless
        #expect(!query.complete)
        query.received(shard: 0, sequence: 9)
        #expect(!query.complete)
        query.received(shard: 2, sequence: 9)
        #expect(query.complete)
    }

    @Test func answersToAnotherQueryDoNotCount() {
        var query = StatsQuery(sequence: 5, shards: 2, deadline: 0)
        query.received(shard: 0, sequence: 4)
        query.received(shard: 1, sequence: 6)
        #expect(!query.complete)
        query.received(shard: 0, sequence: 5)
        query.received(shard: 1, sequence: 5)
        #expect(query.complete)
    }

    @Test func unknownShardsAreIgnored() {
        var query = StatsQuery(sequence: 1, shards: 1, deadline: 0)
        query.received(shard: 7, sequence: 1)
        query.received(shard: -1, sequence: 1)
        #expect(!query.complete)
        query.received(shard: 0, sequence: 1)
        #expect(query.complete)
    }

    @Test func withNoShardsItIsCompleteAtOnce() {
        #expect(StatsQuery(sequence: 1, shards: 0, deadline: 0).complete)
    }

    @Test func waitersAreKeptInOrder() {
        var query = StatsQuery(sequence: 1, shards: 1, deadline: 0)
        query.waiters.append((slot: 3, generation: 1))
        query.waiters.append((slot: 1, generation: 8))
        #expect(query.waiters.map(\.slot) == [3, 1])
        #expect(query.waiters.map(\.generation) == [1, 8])
    }
}
