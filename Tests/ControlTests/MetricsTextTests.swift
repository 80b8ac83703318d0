import Hub
import SeededRandom
import Testing

@testable import Control

@Suite struct MetricsTextTests {
    /// The per-shard families with one series per shard plus `shard="total"`.
    static var simpleFamilies: [(name: String, type: String, field: KeyPath<ShardStats, Int>)] { [
        ("pushpind_connections_open", "gauge", \.connectionsOpen),
        ("pushpind_connections_accepted_total", "counter", \.connectionsAccepted),
        ("pushpind_connections_closed_total", "counter", \.connectionsClosed),
        ("pushpind_connections_refused_total", "counter", \.connectionsRefused),
        ("pushpind_client_bytes_received_total", "counter", \.clientBytesReceived),
        ("pushpind_client_bytes_sent_total", "counter", \.clientBytesSent),
        ("pushpind_parse_errors_total", "counter", \.parseErrors),
        ("pushpind_ring_wakeups_total", "counter", \.ringWakeups),
        ("pushpind_ring_submissions_deferred_total", "counter", \.ringSubmissionsDeferred),
        ("pushpind_subscriptions", "gauge", \.subscriptions),
        ("pushpind_channels", "gauge", \.channels),
        ("pushpind_messages_received_total", "counter", \.messagesReceived),
        ("pushpind_messages_delivered_total", "counter", \.messagesDelivered),
        ("pushpind_deliveries_dropped_total", "counter", \.deliveriesDropped),
        ("pushpind_slow_subscriber_closes_total", "counter", \.slowSubscriberCloses),
        ("pushpind_deliveries_filtered_total", "counter", \.deliveriesFiltered),
        ("pushpind_filter_errors_total", "counter", \.filterErrors),
        ("pushpind_websocket_connections_open", "gauge", \.webSocketOpen),
        ("pushpind_websocket_connections_opened_total", "counter", \.webSocketSessionsOpened),
        ("pushpind_websocket_handshakes_rejected_total", "counter", \.webSocketHandshakeRejections),
        ("pushpind_websocket_messages_received_total", "counter", \.webSocketMessagesIn),
        ("pushpind_websocket_messages_sent_total", "counter", \.webSocketMessagesOut),
        ("pushpind_websocket_protocol_errors_total", "counter", \.webSocketProtocolErrors),
        ("pushpind_websocket_event_requests_total", "counter", \.webSocketEventRequests),
        ("pushpind_websocket_event_failures_total", "counter", \.webSocketEventFailures),
        ("pushpind_websocket_backpressure_pauses_total", "counter", \.webSocketBackpressurePauses),
        ("pushpind_connection_slots", "gauge", \.connectionSlots),
        ("pushpind_memory_reclaims_total", "counter", \.memoryReclaims),
        ("pushpind_next_link_fetches_total", "counter", \.nextLinkFetches),
        ("pushpind_next_link_shared_fetches_total", "counter", \.nextLinkSharedFetches),
        ("pushpind_next_link_retries_total", "counter", \.nextLinkRetries),
        ("pushpind_next_link_failures_total", "counter", \.nextLinkFailures),
        ("pushpind_next_link_idle_refreshes_total", "counter", \.nextLinkIdleRefreshes),
        ("pushpind_long_poll_rerequests_total", "counter", \.longPollReRequests),
        ("pushpind_gone_link_posts_total", "counter", \.goneLinkPosts),
    ] }

    static let latency = "pushpind_publish_delivery_latency_seconds"

    /// Shards with every counter different, latencies spread over all buckets.
    static func randomShards(_ count: Int, seed: UInt64) -> [ShardStats] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in
            var stats = ShardStats()
            let fields: [WritableKeyPath<ShardStats, Int>] = [
                \.connectionsOpen, \.connectionsAccepted, \.connectionsClosed, \.connectionsRefused, \.clientBytesReceived,
                \.clientBytesSent, \.backendConnectErrors, \.backendResetErrors, \.backendTimeouts, \.parseErrors, \.ringWakeups,
                \.ringSubmissionsDeferred,
                \.heldStream, \.heldResponse, \.subscriptions, \.channels, \.messagesReceived, \.messagesDelivered,
                \.deliveriesDropped, \.deliveriesFiltered, \.filterErrors, \.slowSubscriberCloses, \.webSocketOpen, \.webSocketSessionsOpened,
                \.webSocketHandshakeRejections, \.webSocketMessagesIn, \.webSocketMessagesOut, \.webSocketProtocolErrors,
                \.webSocketEventRequests, \.webSocketEventFailures, \.backendInvalidResponses, \.backendTLSErrors, \.webSocketBackpressurePauses,
                \.clientHeaderTimeouts, \.clientIdleTimeouts, \.clientBodyTimeouts,
                \.connectionSlots, \.memoryReclaims, \.nextLinkFetches, \.nextLinkSharedFetches, \.nextLinkRetries,
                \.nextLinkFailures, \.nextLinkIdleRefreshes, \.longPollReRequests, \.goneLinkPosts,
                \.tlsHandshakes, \.tlsHandshakeFailures, \.tlsHandshakeTimeouts, \.tlsSessionErrors, \.tlsCertificateErrors,
            ]
            for field in fields { stats[keyPath: field] = Int.random(in: 0...1_000_000, using: &random) }
            for _ in 0..<Int.random(in: 0...40, using: &random) {
                let statuses = [100, 101, 200, 204, 301, 404, 499, 500, 503, 42, 999]
                stats.countResponse(status: statuses[Int.random(in: 0..<statuses.count, using: &random)])
            }
            for code: UInt16 in [1000, 1002, 4001] where Bool.random(using: &random) {
                stats.countCloseCode(code)
            }
            for _ in 0..<Int.random(in: 0...200, using: &random) {
                stats.recordLatency(micros: Int.random(in: 0...6_000_000, using: &random), count: Int.random(in: 1...3, using: &random))
            }
            return stats
        }
    }

    func parsed(_ text: String) -> PrometheusText? {
        let result = PrometheusText(text)
        #expect(result != nil)
        return result
    }

    @Test(arguments: [0, 1, 3])
    func everyLineIsValidExpositionText(shardCount: Int) {
        let text = MetricsText.render(Self.randomShards(shardCount, seed: UInt64(shardCount)))
        #expect(parsed(text) != nil)
    }

    @Test func simpleFamiliesHaveOneSeriesPerShardAndATotalThatIsTheirSum() throws {
        let shards = Self.randomShards(3, seed: 7)
        let metrics = try #require(parsed(MetricsText.render(shards)))
        for (name, type, field) in Self.simpleFamilies {
            let family = try #require(metrics.family(name), "\(name) missing")
            #expect(family.type == type, "\(name)")
            #expect(!family.help.isEmpty)
            #expect(family.samples.map { $0.labels["shard"] } == ["0", "1", "2", "total"])
            for (index, stats) in shards.enumerated() {
                #expect(metrics.value(name, ["shard": "\(index)"]) == Double(stats[keyPath: field]), "\(name) shard \(index)")
            }
            #expect(metrics.value(name, ["shard": "total"]) == Double(shards.map { $0[keyPath: field] }.reduce(0, +)), "\(name) total")
        }
    }

    @Test func requestsAreCountedByStatusClassPerShardAndInTotal() throws {
        var a = ShardStats()
        var b = ShardStats()
        for status in [200, 200, 404, 503, 101] { a.countResponse(status: status) }
        for status in [204, 302, 302, 0, 700] { b.countResponse(status: status) }  // 0 → 1xx, 700 → 5xx
        let metrics = try #require(parsed(MetricsText.render([a, b])))
        let name = "pushpind_requests_total"
        #expect(metrics.family(name)?.type == "counter")
        let expected: [String: [Double]] = ["0": [1, 2, 0, 1, 1], "1": [1, 1, 2, 0, 1], "total": [2, 3, 2, 1, 2]]
        for (shard, counts) in expected {
            for (index, count) in counts.enumerated() {
                #expect(metrics.value(name, ["shard": shard, "class": "\(index + 1)xx"]) == count, "shard \(shard) \(index + 1)xx")
            }
        }
        #expect(metrics.family(name)?.samples.count == 15)
    }

    @Test func heldConnectionsBackendErrorsAndClientTimeoutsByKind() throws {
        let shards = Self.randomShards(2, seed: 99)
        let metrics = try #require(parsed(MetricsText.render(shards)))
        let total = shards[0] + shards[1]
        for (label, stats) in [("0", shards[0]), ("1", shards[1]), ("total", total)] {
            #expect(metrics.value("pushpind_held_connections", ["shard": label, "kind": "stream"]) == Double(stats.heldStream))
            #expect(metrics.value("pushpind_held_connections", ["shard": label, "kind": "response"]) == Double(stats.heldResponse))
            #expect(metrics.value("pushpind_backend_errors_total", ["shard": label, "kind": "connect"]) == Double(stats.backendConnectErrors))
            #expect(metrics.value("pushpind_backend_errors_total", ["shard": label, "kind": "reset"]) == Double(stats.backendResetErrors))
            #expect(metrics.value("pushpind_backend_errors_total", ["shard": label, "kind": "timeout"]) == Double(stats.backendTimeouts))
            #expect(metrics.value("pushpind_backend_errors_total", ["shard": label, "kind": "invalid"]) == Double(stats.backendInvalidResponses))
            #expect(metrics.value("pushpind_backend_errors_total", ["shard": label, "kind": "tls"]) == Double(stats.backendTLSErrors))
            #expect(metrics.value("pushpind_client_timeouts_total", ["shard": label, "kind": "header"]) == Double(stats.clientHeaderTimeouts))
            #expect(metrics.value("pushpind_client_timeouts_total", ["shard": label, "kind": "idle"]) == Double(stats.clientIdleTimeouts))
            #expect(metrics.value("pushpind_client_timeouts_total", ["shard": label, "kind": "body"]) == Double(stats.clientBodyTimeouts))
        }
        #expect(total.clientBodyTimeouts == shards[0].clientBodyTimeouts + shards[1].clientBodyTimeouts)
        #expect(metrics.family("pushpind_client_timeouts_total")?.type == "counter")
        #expect(total.heldStream == shards[0].heldStream + shards[1].heldStream)
        #expect(metrics.family("pushpind_held_connections")?.type == "gauge")
        #expect(metrics.family("pushpind_backend_errors_total")?.type == "counter")
    }

    @Test func tlsHandshakesAndErrorsByKind() throws {
        var shards = Self.randomShards(2, seed: 13)
        shards[0].tlsResumedHandshakes = shards[0].tlsHandshakes / 3
        shards[1].tlsResumedHandshakes = shards[1].tlsHandshakes / 2
        let metrics = try #require(parsed(MetricsText.render(shards)))
        let total = shards[0] + shards[1]
        let name = "pushpind_client_tls_handshakes_total"
        for (label, stats) in [("0", shards[0]), ("1", shards[1]), ("total", total)] {
            #expect(metrics.value(name, ["shard": label, "kind": "full"]) == Double(stats.tlsHandshakes - stats.tlsResumedHandshakes))
            #expect(metrics.value(name, ["shard": label, "kind": "resumed"]) == Double(stats.tlsResumedHandshakes))
            #expect(metrics.value(name, ["shard": label, "kind": "failed"]) == Double(stats.tlsHandshakeFailures))
            #expect(metrics.value(name, ["shard": label, "kind": "timeout"]) == Double(stats.tlsHandshakeTimeouts))
            #expect(metrics.value("pushpind_client_tls_errors_total", ["shard": label, "kind": "session"]) == Double(stats.tlsSessionErrors))
            #expect(metrics.value("pushpind_client_tls_errors_total", ["shard": label, "kind": "certificate"]) == Double(stats.tlsCertificateErrors))
        }
        #expect(metrics.family(name)?.type == "counter")
        #expect(metrics.family("pushpind_client_tls_errors_total")?.type == "counter")
    }

    @Test func latencyHistogramIsCumulativeOverAllShardsAndEndsInInfEqualToCount() throws {
        let shards = Self.randomShards(3, seed: 5)
        let metrics = try #require(parsed(MetricsText.render(shards)))
        let family = try #require(metrics.family(Self.latency))
        #expect(family.type == "histogram")
        let buckets = family.samples.filter { $0.name == Self.latency + "_bucket" }
        #expect(buckets.count == LatencyBuckets.upperBoundsMicros.count + 1)
        #expect(buckets.allSatisfy { $0.labels.keys.sorted() == ["le"] })
        let bounds = buckets.compactMap { $0.labels["le"] }.map { $0 == "+Inf" ? Double.infinity : Double($0) }
        #expect(bounds == LatencyBuckets.upperBoundsMicros.map { Double($0) / 1_000_000 } + [.infinity])
        let counts = buckets.map(\.value)
        #expect(zip(counts, counts.dropFirst()).allSatisfy { $0 <= $1 }, "cumulative")
        let total = shards.reduce(ShardStats(), +)
        var running = 0
        for (index, sample) in buckets.enumerated() {
            running += total.latencyCounts[index]
            #expect(sample.value == Double(running), "bucket \(index)")
        }
        #expect(counts.last == metrics.value(Self.latency + "_count"))
        #expect(metrics.value(Self.latency + "_count") == Double(total.latencyCounts.reduce(0, +)))
        let sum = try #require(metrics.value(Self.latency + "_sum"))
        #expect(abs(sum - Double(total.latencySumMicros) / 1_000_000) < 1e-6)
        #expect(family.samples.last?.name == Self.latency + "_count")
    }

    @Test func latencyBoundsAndSumAreWrittenAsExactDecimalSeconds() {
        var stats = ShardStats()
        stats.recordLatency(micros: 1_500_000)
        stats.recordLatency(micros: 250)  // exactly on a bound: counts in that bucket
        stats.recordLatency(micros: 9_000_000)  // past the last bound: +Inf only
        let text = MetricsText.render([stats])
        #expect(text.contains("\(Self.latency)_bucket{le=\"0.0001\"} 0\n"))
        #expect(text.contains("\(Self.latency)_bucket{le=\"0.00025\"} 1\n"))
        #expect(text.contains("\(Self.latency)_bucket{le=\"1\"} 1\n"))
        #expect(text.contains("\(Self.latency)_bucket{le=\"2.5\"} 2\n"))
        #expect(text.contains("\(Self.latency)_bucket{le=\"5\"} 2\n"))
        #expect(text.contains("\(Self.latency)_bucket{le=\"+Inf\"} 3\n"))
        #expect(text.contains("\(Self.latency)_sum 10.50025\n"))
        #expect(text.contains("\(Self.latency)_count 3\n"))
    }

    @Test func noShardsStillRendersZeroTotals() throws {
        let metrics = try #require(parsed(MetricsText.render([])))
        for (name, _, _) in Self.simpleFamilies {
            #expect(metrics.family(name)?.samples.map(\.labels) == [["shard": "total"]])
            #expect(metrics.value(name, ["shard": "total"]) == 0)
        }
        #expect(metrics.value(Self.latency + "_count") == 0)
        #expect(metrics.value(Self.latency + "_sum") == 0)
    }

    @Test func controlCountersAreValidTextWithTheirValues() throws {
        var control = ControlStats()
        control.messagesPublished = 12
        control.publishesRejected = 3
        control.publishesUnauthorized = 4
        control.zeroMQReceived[.pull] = 9
        control.zeroMQRejected[.sub] = 2
        control.recoverCommands = 8
        control.badRequests = 10
        control.statsSent = 10
        control.statsDropped = 11
        let metrics = try #require(parsed(MetricsText.render(control: control, ringFullWaits: 5, publishesDropped: 7, channels: 6)))
        #expect(metrics.value("pushpind_messages_published_total") == 12)
        #expect(metrics.value("pushpind_publish_rejected_total", ["reason": "invalid"]) == 3)
        #expect(metrics.value("pushpind_publish_rejected_total", ["reason": "unauthorized"]) == 4)
        #expect(metrics.value("pushpind_hub_ring_full_waits_total") == 5)
        #expect(metrics.value("pushpind_hub_publishes_dropped_total") == 7)
        #expect(metrics.value("pushpind_interest_channels") == 6)
        #expect(metrics.family("pushpind_interest_channels")?.type == "gauge")
        #expect(metrics.value("pushpind_zmq_messages_received_total", ["socket": "pull"]) == 9)
        #expect(metrics.value("pushpind_zmq_messages_received_total", ["socket": "command"]) == 0)
        #expect(metrics.value("pushpind_zmq_messages_rejected_total", ["socket": "sub"]) == 2)
        #expect(metrics.value("pushpind_recover_commands_total") == 8)
        #expect(metrics.value("pushpind_control_bad_requests_total") == 10)
        #expect(metrics.value("pushpind_stats_messages_total", ["outcome": "sent"]) == 10)
        #expect(metrics.value("pushpind_stats_messages_total", ["outcome": "dropped"]) == 11)
        #expect(metrics.families.count == 10)
    }

    @Test func sequencerCountersAreValidTextWithTheirValues() throws {
        let counters = PublishSequencer.Counters(
            parked: 1, releasedInOrder: 2, releasedByTimeout: 3, duplicatesDropped: 4,
            droppedOverflow: 5, droppedSamePrevID: 6, droppedUnsubscribed: 7)
        let metrics = try #require(parsed(MetricsText.render(sequencer: counters, parkedNow: 8)))
        #expect(metrics.value("pushpind_sequencer_parked_total") == 1)
        #expect(metrics.value("pushpind_sequencer_released_total", ["reason": "in_order"]) == 2)
        #expect(metrics.value("pushpind_sequencer_released_total", ["reason": "timeout"]) == 3)
        #expect(metrics.value("pushpind_publish_duplicates_dropped_total") == 4)
        #expect(metrics.value("pushpind_sequencer_dropped_total", ["reason": "overflow"]) == 5)
        #expect(metrics.value("pushpind_sequencer_dropped_total", ["reason": "same_prev_id"]) == 6)
        #expect(metrics.value("pushpind_sequencer_dropped_total", ["reason": "unsubscribed"]) == 7)
        #expect(metrics.value("pushpind_sequencer_parked") == 8)
        #expect(metrics.family("pushpind_sequencer_parked")?.type == "gauge")
        #expect(metrics.families.count == 5)
    }

    /// The /metrics body is both renders one after the other: still one valid document.
    @Test func shardAndControlRendersTogetherNeverRepeatAFamily() {
        let text = MetricsText.render(Self.randomShards(2, seed: 3))
            + MetricsText.render(control: ControlStats(), ringFullWaits: 0, publishesDropped: 0, channels: 0)
            + MetricsText.render(sequencer: .init(), parkedNow: 0)
        let metrics = parsed(text)
        #expect(metrics?.families.count == Self.simpleFamilies.count + 8 + 10 + 5)
    }
}
