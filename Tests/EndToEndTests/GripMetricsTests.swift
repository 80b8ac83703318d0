import Testing

/// The GRIP side of `/metrics`: held connections, subscriptions, channels, message
/// counters and the publish → delivery latency histogram.
extension EndToEnd {
    @Suite struct GripMetricsTests {
        static let shardLabels = ["0", "1", "total"]
        static let perShard = [
            "pushpind_subscriptions", "pushpind_channels", "pushpind_messages_received_total",
            "pushpind_messages_delivered_total", "pushpind_deliveries_dropped_total",
            "pushpind_slow_subscriber_closes_total",
        ]
        static let latency = "pushpind_publish_delivery_latency_seconds"

        @Test func gripMetricsAreExposed() throws {
            try withPushpind(PublishTests.testRoute()) { pushpind in
                let metrics = try pushpind.metrics()
                for shard in Self.shardLabels {
                    for name in Self.perShard {
                        #expect(metrics.value(name, ["shard": shard]) != nil, "\(name){shard=\"\(shard)\"} missing")
                    }
                    for kind in ["stream", "response"] {
                        #expect(metrics.value("pushpind_held_connections", ["shard": shard, "kind": kind]) != nil,
                                "pushpind_held_connections{shard=\"\(shard)\",kind=\"\(kind)\"} missing")
                    }
                }
                #expect(metrics.value("pushpind_messages_published_total", [:]) == 0)
                #expect(metrics.types["pushpind_messages_published_total"] == "counter")
                #expect(metrics.types["pushpind_held_connections"] == "gauge")
                #expect(metrics.types["pushpind_subscriptions"] == "gauge")
                #expect(metrics.types["pushpind_messages_delivered_total"] == "counter")
                #expect(metrics.types[Self.latency] == "histogram")
                let buckets = metrics.matching(Self.latency + "_bucket")
                #expect(buckets.count >= 2, "latency buckets: \(buckets.count)")
                #expect(buckets.allSatisfy { $0.labels["le"] != nil }, "bucket without le")
                #expect(buckets.contains { $0.labels["le"] == "+Inf" }, "no le=\"+Inf\" bucket")
                #expect(metrics.value(Self.latency + "_sum", [:]) != nil)
                #expect(metrics.value(Self.latency + "_count", [:]) != nil)
            }
        }

        @Test func gripMetricsFollowHoldsAndPublishes() throws {
            try withPushpind(PublishTests.testRoute()) { pushpind in
                let streams = try (0..<3).map { _ in try StreamSubscriber(port: pushpind.clientPort, target: "/stream?channel=m") }
                let poll = try RawHTTPClient(port: pushpind.clientPort)
                try poll.send(.get("/response?channel=n"))
                try pushpind.waitForHeld(stream: 3, response: 1)
                let before = try pushpind.expectMetrics { checks in
                    checks.expectTotal("pushpind_subscriptions", equals: 4)
                    checks.expectTotal("pushpind_channels", atLeast: 2)
                }

                try pushpind.publish(PublishJSON.stream("m", "metered\n"))
                for subscriber in streams {
                    #expect(try subscriber.read(expecting: "[stream opened]\nmetered\n") == "[stream opened]\nmetered\n")
                }
                try pushpind.publish(PublishJSON.response("n", body: "answered\n"))
                #expect(try poll.readResponse().bodyText == "answered\n")

                try pushpind.waitForHeld(stream: 3, response: 0)
                let after = try pushpind.expectMetrics { checks in
                    let published = checks.metrics.value("pushpind_messages_published_total", [:]) ?? 0
                    let publishedBefore = before.value("pushpind_messages_published_total", [:]) ?? 0
                    checks.expect(published == publishedBefore + 2, "messages_published_total \(publishedBefore) → \(published), expected +2")
                    checks.expectTotal("pushpind_messages_received_total", atLeast: before.total("pushpind_messages_received_total") + 2)
                    checks.expectTotal("pushpind_messages_delivered_total", atLeast: before.total("pushpind_messages_delivered_total") + 4)
                    checks.expectTotal("pushpind_subscriptions", equals: 3)
                    let count = checks.metrics.value(Self.latency + "_count", [:]) ?? 0
                    let countBefore = before.value(Self.latency + "_count", [:]) ?? 0
                    checks.expect(count > countBefore, "latency _count \(countBefore) → \(count)")
                }
                let infinity = after.matching(Self.latency + "_bucket", ["le": "+Inf"]).first?.value
                #expect(infinity == after.value(Self.latency + "_count", [:]), "le=+Inf bucket \(String(describing: infinity)) ≠ _count")
                let buckets = after.matching(Self.latency + "_bucket").map(\.value)
                #expect(buckets == buckets.sorted(), "histogram buckets not cumulative: \(buckets)")
                for name in ["pushpind_held_connections"] {
                    for kind in ["stream", "response"] {
                        let sum = after.sumOverShards(name, shards: 2, ["kind": kind])
                        #expect(sum == after.total(name, ["kind": kind]), "\(name) kind=\(kind): shards \(sum) ≠ total")
                    }
                }

                for subscriber in streams { subscriber.close() }
                try pushpind.waitForHeld(stream: 0, response: 0)
                try pushpind.expectMetrics {
                    $0.expectTotal("pushpind_subscriptions", equals: 0)
                    $0.expectTotal("pushpind_channels", equals: 0)
                }
            }
        }
    }
}
