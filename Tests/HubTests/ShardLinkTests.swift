import Hub
import Testing
import Wire

@Suite struct ShardLinkTests {
    @Test func startsWithoutRingFileDescriptors() {
        let (control, shard) = ShardLink.make(index: 3)
        #expect(control.index == 3 && shard.index == 3)
        #expect(control.shardRingFD == -1)
        #expect(shard.controlRingFD == -1)
        #expect(control.commands.capacity == 4096 && shard.commands.capacity == 4096)
        #expect(control.reports.capacity == 1024 && shard.reports.capacity == 1024)
    }

    @Test func capacitiesRoundUp() {
        let (control, shard) = ShardLink.make(index: 0, commandCapacity: 100, reportCapacity: 3)
        #expect(control.commands.capacity == 128)
        #expect(shard.reports.capacity == 4)
    }

    /// Each end publishes its own ring and reads the other's.
    @Test func eachEndSeesTheRingTheOtherPublished() {
        let (control, shard) = ShardLink.make(index: 0)
        shard.publishShardRingFD(7)
        #expect(control.shardRingFD == 7)
        #expect(shard.controlRingFD == -1)
        control.publishControlRingFD(9)
        #expect(shard.controlRingFD == 9)
        #expect(control.shardRingFD == 7)
    }

    /// Commands go from the control end to the shard end, reports the other way, and a
    /// sleeping shard is woken by the control end's push.
    @Test func carriesCommandsAndReports() {
        let (control, shard) = ShardLink.make(index: 1, commandCapacity: 4, reportCapacity: 4)
        #expect(shard.commands.prepareToSleep())
        let routes = ShardRouting(table: .testOnly, addresses: [:])
        #expect(control.commands.push(.reportStats(sequence: 5)))
        #expect(control.commands.takeWakeRequest(), "the shard said it would sleep")
        #expect(control.commands.push(.installRoutes(routes)))
        #expect(control.commands.push(.shutdown(drainNanos: 1_000)))
        #expect(!control.commands.takeWakeRequest())

        guard case .reportStats(let sequence) = shard.commands.pop() else {
            Issue.record("expected reportStats first")
            return
        }
        #expect(sequence == 5)
        guard case .installRoutes(let payload) = shard.commands.pop() else {
            Issue.record("expected installRoutes second")
            return
        }
        #expect(payload === routes, "the same routing, carried by reference")
        guard case .shutdown(let drainNanos) = shard.commands.pop() else {
            Issue.record("expected shutdown third")
            return
        }
        #expect(drainNanos == 1_000)

        var stats = ShardStats()
        stats.countResponse(status: 200)
        #expect(shard.reports.push(.stats(shard: 1, sequence: 5, stats)))
        #expect(shard.reports.push(.stopped(shard: 1)))
        guard case .stats(let shard, let reportSequence, let reported) = control.reports.pop() else {
            Issue.record("expected stats first")
            return
        }
        #expect(shard == 1 && reportSequence == 5 && reported == stats)
        guard case .stopped(let stoppedShard) = control.reports.pop() else {
            Issue.record("expected stopped second")
            return
        }
        #expect(stoppedShard == 1)
    }
}
