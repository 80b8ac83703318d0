import Hub
import IOUring
import Logging
import Testing
import Wire

@testable import Control

/// What the control loop tells the shards for reliable delivery, through real mailboxes and
/// without running the loop: reports in, commands out.
@Suite("Control loop: recover and last ids")
struct ControlLoopRecoveryTests {
    static func loop(shards: Int) throws -> (ControlLoop, [ShardLink.ShardEnd]) {
        let links = (0..<shards).map { ShardLink.make(index: $0) }
        let configuration = ControlConfiguration(
            host: "127.0.0.1", port: 0, maxHeadersSize: 10_000, maxBodySize: 1_000_000, version: "test", drainNanos: 0)
        let loop = ControlLoop(configuration: configuration, links: links.map(\.control), logger: Logger(label: "test"), reloadRoutes: { nil })
        loop.ring = try Ring(entries: 8)  // the shards never ran, so no wake-up goes through it
        return (loop, links.map(\.shard))
    }

    /// The commands waiting for `shard`, as short text.
    static func commands(_ shard: ShardLink.ShardEnd) -> [String] {
        var out: [String] = []
        while let command = shard.commands.pop() {
            switch command {
            case .publish(let message): out.append("publish \(message.id ?? "-")")
            case .recover: out.append("recover")
            case let .lastID(channel, id): out.append("lastID \(channel) \(id)")
            default: out.append("other")
            }
        }
        return out
    }

    @Test func aShardsFirstSubscriberOfAChannelGetsItsLastID() throws {
        let (loop, shards) = try Self.loop(shards: 2)
        _ = shards[0].reports.push(.subscribed(shard: 0, channel: "c"))
        loop.drainReports()
        #expect(Self.commands(shards[0]).isEmpty, "no last id yet")
        loop.broadcastPublished([PublishItem(channel: "c", id: "7")])
        #expect(Self.commands(shards[0]) == ["publish 7"])
        _ = shards[1].reports.push(.subscribed(shard: 1, channel: "c"))
        _ = shards[1].reports.push(.subscribed(shard: 1, channel: "quiet"))
        loop.drainReports()
        #expect(Self.commands(shards[1]) == ["lastID c 7"], "a channel without a last id sends nothing")
        #expect(Self.commands(shards[0]).isEmpty)
    }

    @Test func aChannelWithoutSubscribersLeftHasNoLastIDForItsNextShard() throws {
        let (loop, shards) = try Self.loop(shards: 2)
        _ = shards[0].reports.push(.subscribed(shard: 0, channel: "c"))
        loop.drainReports()
        loop.broadcastPublished([PublishItem(channel: "c", id: "7")])
        _ = shards[0].reports.push(.unsubscribed(shard: 0, channel: "c"))
        _ = shards[1].reports.push(.subscribed(shard: 1, channel: "c"))
        loop.drainReports()
        #expect(Self.commands(shards[1]).isEmpty)
    }

    @Test func recoverForgetsLastIDsAndTellsEveryShard() throws {
        let (loop, shards) = try Self.loop(shards: 2)
        _ = shards[0].reports.push(.subscribed(shard: 0, channel: "c"))
        loop.drainReports()
        loop.broadcastPublished([PublishItem(channel: "c", id: "7")])
        loop.recover()
        #expect(Self.commands(shards[0]) == ["publish 7", "recover"])
        #expect(Self.commands(shards[1]) == ["recover"])
        #expect(loop.sequencer.lastIDs["c"] == nil)
        #expect(loop.controlStats.recoverCommands == 1)
        _ = shards[1].reports.push(.subscribed(shard: 1, channel: "c"))
        loop.drainReports()
        #expect(Self.commands(shards[1]).isEmpty, "the forgotten last id is not sent")
    }
}
