import Hub
import Testing

@Suite struct ShardStatsTests {
    @Test(arguments: [
        (100, 0), (101, 0), (199, 0),
        (200, 1), (204, 1), (299, 1),
        (300, 2), (304, 2),
        (400, 3), (404, 3), (499, 3),
        (500, 4), (503, 4), (599, 4),
    ])
    func countsResponseInItsClass(status: Int, index: Int) {
        var stats = ShardStats()
        stats.countResponse(status: status)
        var expected = [0, 0, 0, 0, 0]
        expected[index] = 1
        #expect(stats.responsesByClass == expected)
    }

    @Test(arguments: [(0, 0), (42, 0), (99, 0), (-1, 0), (-500, 0), (Int.min, 0), (600, 4), (999, 4), (1_000_000, 4), (Int.max, 4)])
    func clampsOutOfRangeStatus(status: Int, index: Int) {
        var stats = ShardStats()
        stats.countResponse(status: status)
        var expected = [0, 0, 0, 0, 0]
        expected[index] = 1
        #expect(stats.responsesByClass == expected)
    }

    @Test func accumulatesRepeatedResponses() {
        var stats = ShardStats()
        for status in [200, 201, 404, 200, 503, 101] { stats.countResponse(status: status) }
        #expect(stats.responsesByClass == [1, 3, 0, 1, 1])
    }

    /// Every counter set to a distinct non-zero value.
    static func filled(base: Int) -> ShardStats {
        var stats = ShardStats()
        stats.connectionsOpen = base + 1
        stats.connectionsAccepted = base + 2
        stats.connectionsClosed = base + 3
        stats.connectionsRefused = base + 4
        stats.responsesByClass = [base + 5, base + 6, base + 7, base + 8, base + 9]
        stats.clientBytesReceived = base + 10
        stats.clientBytesSent = base + 11
        stats.backendConnectErrors = base + 12
        stats.backendResetErrors = base + 13
        stats.backendTimeouts = base + 14
        stats.parseErrors = base + 15
        stats.ringWakeups = base + 16
        stats.heldStream = base + 17
        stats.heldResponse = base + 18
        stats.subscriptions = base + 19
        stats.channels = base + 20
        stats.messagesReceived = base + 21
        stats.messagesDelivered = base + 22
        stats.deliveriesDropped = base + 23
        stats.slowSubscriberCloses = base + 24
        stats.latencyCounts = (0..<stats.latencyCounts.count).map { base + 25 + $0 }
        stats.latencySumMicros = base + 50
        stats.webSocketOpen = base + 51
        stats.webSocketSessionsOpened = base + 52
        stats.webSocketHandshakeRejections = base + 53
        stats.webSocketMessagesIn = base + 54
        stats.webSocketMessagesOut = base + 55
        stats.webSocketProtocolErrors = base + 56
        stats.webSocketEventRequests = base + 57
        stats.webSocketEventFailures = base + 58
        stats.closeCodes = [1000: base + 59, 4000: base + 60]
        stats.backendInvalidResponses = base + 61
        stats.webSocketBackpressurePauses = base + 62
        stats.clientHeaderTimeouts = base + 63
        stats.clientIdleTimeouts = base + 64
        stats.clientBodyTimeouts = base + 65
        stats.connectionSlots = base + 66
        stats.memoryReclaims = base + 67
        stats.ringSubmissionsDeferred = base + 68
        stats.nextLinkFetches = base + 69
        stats.nextLinkSharedFetches = base + 70
        stats.nextLinkRetries = base + 71
        stats.nextLinkFailures = base + 72
        stats.nextLinkIdleRefreshes = base + 73
        stats.longPollReRequests = base + 74
        stats.goneLinkPosts = base + 75
        stats.deliveriesFiltered = base + 76
        stats.filterErrors = base + 77
        stats.backendTLSErrors = base + 78
        stats.tlsHandshakes = base + 79
        stats.tlsResumedHandshakes = base + 80
        stats.tlsHandshakeFailures = base + 81
        stats.tlsHandshakeTimeouts = base + 82
        stats.tlsSessionErrors = base + 83
        stats.tlsCertificateErrors = base + 84
        return stats
    }

    /// Counters by field name, read by reflection so a field added later is not missed.
    static func counters(_ stats: ShardStats) -> [String: [Int]] {
        var fields: [String: [Int]] = [:]
        for child in Mirror(reflecting: stats).children {
            guard let label = child.label else { continue }
            if let number = child.value as? Int {
                fields[label] = [number]
            } else if let numbers = child.value as? [Int] {
                fields[label] = numbers
            } else if let byCode = child.value as? [UInt16: Int] {
                fields[label] = byCode.keys.sorted().map { byCode[$0] ?? 0 }
            } else {
                fields[label] = []  // an unexpected field type: the sum test flags it
            }
        }
        return fields
    }

    @Test func testFixtureSetsEveryField() {
        let fields = Self.counters(Self.filled(base: 0))
        #expect(fields.count >= 12)
        for (label, values) in fields {
            #expect(!values.isEmpty && !values.contains(0), "field \(label) is not set by the fixture; extend filled(base:)")
        }
    }

    @Test func plusSumsEveryField() {
        let lhs = Self.filled(base: 0)
        let rhs = Self.filled(base: 100)
        let sum = lhs + rhs
        let left = Self.counters(lhs)
        let right = Self.counters(rhs)
        let total = Self.counters(sum)
        #expect(Set(total.keys) == Set(left.keys))
        for (label, values) in total {
            let expected = zip(left[label] ?? [], right[label] ?? []).map { $0 + $1 }
            #expect(values == expected, "field \(label)")
        }
        #expect(sum.responsesByClass == [110, 112, 114, 116, 118])
    }

    @Test func zeroIsTheIdentity() {
        let stats = Self.filled(base: 7)
        #expect(stats + ShardStats() == stats)
        #expect(ShardStats() + stats == stats)
        #expect(ShardStats() + ShardStats() == ShardStats())
    }
}

@Suite struct LatencyHistogramTests {
    @Test func bucketsByUpperBoundInclusive() {
        var stats = ShardStats()
        stats.recordLatency(micros: 0)
        stats.recordLatency(micros: 100)  // on the first bound: first bucket
        stats.recordLatency(micros: 101, count: 3)
        stats.recordLatency(micros: 10_000_000)  // past the last bound: +Inf bucket
        #expect(stats.latencyCounts[0] == 2)
        #expect(stats.latencyCounts[1] == 3)
        #expect(stats.latencyCounts.last == 1)
        #expect(stats.latencyCounts.reduce(0, +) == 6)
        #expect(stats.latencySumMicros == 100 + 303 + 10_000_000)
    }
}
