import Foundation
import Testing

/// The control port's `/metrics` (Prometheus text) and `/status` (JSON): every metric of
/// the contract is there for each shard and in total, and the values follow the traffic.
extension EndToEnd {
    @Suite struct MetricsTests {
        static let shards = 2
        static let shardLabels = (0..<shards).map(String.init) + ["total"]

        static let counters = [
            "pushpind_connections_accepted_total", "pushpind_connections_closed_total",
            "pushpind_connections_refused_total", "pushpind_client_bytes_received_total",
            "pushpind_client_bytes_sent_total", "pushpind_parse_errors_total", "pushpind_ring_wakeups_total",
            "pushpind_ring_submissions_deferred_total",
        ]
        static let statusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"]
        static let backendErrorKinds = ["connect", "reset", "timeout"]

        @Test func everyMetricIsExposedPerShardAndInTotal() throws {
            try withProxiedBackend { _, pushpind in
                let metrics = try pushpind.metrics()
                #expect(metrics.types["pushpind_connections_open"] == "gauge")
                for shard in Self.shardLabels {
                    #expect(metrics.value("pushpind_connections_open", ["shard": shard]) != nil, "connections_open shard=\(shard)")
                    for name in Self.counters {
                        #expect(metrics.value(name, ["shard": shard]) != nil, "\(name){shard=\"\(shard)\"} missing")
                    }
                    for statusClass in Self.statusClasses {
                        let labels = ["shard": shard, "class": statusClass]
                        #expect(metrics.value("pushpind_requests_total", labels) != nil, "requests_total \(labels) missing")
                    }
                    for kind in Self.backendErrorKinds {
                        let labels = ["shard": shard, "kind": kind]
                        #expect(metrics.value("pushpind_backend_errors_total", labels) != nil, "backend_errors_total \(labels) missing")
                    }
                }
                for name in Self.counters + ["pushpind_requests_total", "pushpind_backend_errors_total"] {
                    #expect(metrics.types[name] == "counter", "# TYPE of \(name): \(metrics.types[name] ?? "none")")
                }
            }
        }

        @Test func countersFollowTheTraffic() throws {
            try withProxiedBackend { _, pushpind in
                let before = try pushpind.metrics()
                let client = try RawHTTPClient(port: pushpind.clientPort)
                var sentBytes = 0
                var bodyBytes = 0
                for _ in 0..<10 {
                    let request = HTTPRequest.get("/bytes?n=1000")
                    sentBytes += request.bytes.count
                    bodyBytes += try client.request(request).body.count
                }
                #expect(try client.get("/status?code=404").status == 404)

                func grown(_ name: String, _ labels: [String: String] = [:], by amount: Double) -> (String, [String: String], Double) {
                    (name, labels, before.total(name, labels) + amount)
                }
                let whileOpen = [
                    grown("pushpind_connections_accepted_total", by: 1),
                    grown("pushpind_requests_total", ["class": "2xx"], by: 10),
                    grown("pushpind_requests_total", ["class": "4xx"], by: 1),
                    grown("pushpind_client_bytes_received_total", by: Double(sentBytes)),
                    grown("pushpind_client_bytes_sent_total", by: Double(bodyBytes)),
                ]
                try pushpind.expectMetrics { checks in
                    checks.expectTotal("pushpind_connections_open", atLeast: 1)
                    for (name, labels, minimum) in whileOpen { checks.expectTotal(name, labels, atLeast: minimum) }
                }

                client.close()
                try pushpind.expectMetrics {
                    $0.expectTotal("pushpind_connections_closed_total", atLeast: before.total("pushpind_connections_closed_total") + 1)
                }
            }
        }

        /// Once traffic stops, each counter's shard samples add up to its total.
        @Test func shardSamplesAddUpToTheTotal() throws {
            try withProxiedBackend { _, pushpind in
                for _ in 0..<8 {
                    _ = try RawHTTPClient.fetch(port: pushpind.clientPort, "/bytes?n=100")
                }
                let series = Self.counters.map { ($0, [String: String]()) }
                    + Self.statusClasses.map { ("pushpind_requests_total", ["class": $0]) }
                try pushpind.expectMetrics { checks in
                    checks.expectTotal("pushpind_requests_total", ["class": "2xx"], atLeast: 8)
                    for (name, labels) in series {
                        let sum = checks.metrics.sumOverShards(name, shards: Self.shards, labels)
                        let total = checks.metrics.total(name, labels)
                        checks.expect(sum == total, "\(name) \(labels): shards add up to \(sum), total says \(total)")
                    }
                }
            }
        }

        @Test func statusReportsVersionShardsUptimeAndConnections() throws {
            try withProxiedBackend { _, pushpind in
                let client = try RawHTTPClient(port: pushpind.clientPort)
                #expect(try client.get("/bytes?n=1").status == 200)
                let status = try pushpind.status()
                let version = status["version"] as? String
                #expect(version?.isEmpty == false, "version: \(String(describing: status["version"]))")
                #expect(jsonNumber(status["shards"]) == Double(Self.shards), "shards: \(String(describing: status["shards"]))")
                let uptime = jsonNumber(status["uptime_seconds"])
                #expect(uptime.map { $0 >= 0 && $0 < 3600 } == true, "uptime_seconds: \(String(describing: status["uptime_seconds"]))")
                let connections = jsonNumber(status["connections"])
                #expect(connections.map { $0 >= 1 } == true, "connections with one client open: \(String(describing: status["connections"]))")
            }
        }
    }
}

/// A JSON number from `JSONSerialization` (which hands numbers back as `NSNumber`).
func jsonNumber(_ value: Any?) -> Double? {
    (value as? NSNumber)?.doubleValue
}
