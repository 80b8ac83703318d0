import Hub
import Testing
import Wire

@Suite struct ShardLinkTests {
    @Test func startsWithoutRingFileDescriptors() {
        let link = ShardLink(index: 3)
        #expect(link.index == 3)
        #expect(link.shardRingFD.load(ordering: .relaxed) == -1)
        #expect(link.controlRingFD.load(ordering: .relaxed) == -1)
        #expect(link.commands.ring.capacity == 4096)
        #expect(link.reports.ring.capacity == 1024)
    }

    @Test func capacitiesRoundUp() {
        let link = ShardLink(index: 0, commandCapacity: 100, reportCapacity: 3)
        #expect(link.commands.ring.capacity == 128)
        #expect(link.reports.ring.capacity == 4)
    }

    @Test func carriesCommandsAndReports() {
        let link = ShardLink(index: 1, commandCapacity: 4, reportCapacity: 4)
        let routes = ShardRouting(table: .testOnly, addresses: [:])
        #expect(link.commands.ring.push(.reportStats(sequence: 5)))
        #expect(link.commands.ring.push(.installRoutes(routes)))
        #expect(link.commands.ring.push(.shutdown(drainNanos: 1_000)))

        guard case .reportStats(let sequence) = link.commands.ring.pop() else {
            Issue.record("expected reportStats first")
            return
        }
        #expect(sequence == 5)
        guard case .installRoutes(let payload) = link.commands.ring.pop() else {
            Issue.record("expected installRoutes second")
            return
        }
        #expect(payload === routes, "the same routing, carried by reference")
        guard case .shutdown(let drainNanos) = link.commands.ring.pop() else {
            Issue.record("expected shutdown third")
            return
        }
        #expect(drainNanos == 1_000)

        var stats = ShardStats()
        stats.countResponse(status: 200)
        #expect(link.reports.ring.push(.stats(shard: 1, sequence: 5, stats)))
        #expect(link.reports.ring.push(.stopped(shard: 1)))
        guard case .stats(let shard, let reportSequence, let reported) = link.reports.ring.pop() else {
            Issue.record("expected stats first")
            return
        }
        #expect(shard == 1 && reportSequence == 5 && reported == stats)
        guard case .stopped(let stoppedShard) = link.reports.ring.pop() else {
            Issue.record("expected stopped second")
            return
        }
        #expect(stoppedShard == 1)
    }
}
