import Hub

/// Renders shard counters in the Prometheus text exposition format, one series per shard
/// plus a `shard="total"` series. Pure.
public enum MetricsText {
    private struct Family: Sendable {
        var name: String
        var type: String
        var help: String
        var value: @Sendable (ShardStats) -> Int
    }

    private static let families: [Family] = [
        Family(name: "pushpind_connections_open", type: "gauge", help: "Client connections currently open.") {
            $0.connectionsOpen
        },
        Family(name: "pushpind_connections_accepted_total", type: "counter", help: "Client connections accepted.") {
            $0.connectionsAccepted
        },
        Family(name: "pushpind_connections_closed_total", type: "counter", help: "Client connections closed.") {
            $0.connectionsClosed
        },
        Family(name: "pushpind_connections_refused_total", type: "counter", help: "Client connections refused over client_maxconn.") {
            $0.connectionsRefused
        },
        Family(name: "pushpind_client_bytes_received_total", type: "counter", help: "Bytes received from clients.") {
            $0.clientBytesReceived
        },
        Family(name: "pushpind_client_bytes_sent_total", type: "counter", help: "Bytes sent to clients.") {
            $0.clientBytesSent
        },
        Family(name: "pushpind_parse_errors_total", type: "counter", help: "Malformed or oversized client requests.") {
            $0.parseErrors
        },
        Family(name: "pushpind_ring_wakeups_total", type: "counter", help: "Times a shard was woken through its mailbox.") {
            $0.ringWakeups
        },
    ]

    public static func render(_ shards: [ShardStats]) -> String {
        let total = shards.reduce(ShardStats(), +)
        var out = ""
        out.reserveCapacity(4096)
        for family in families {
            header(&out, family.name, family.type, family.help)
            for (index, stats) in shards.enumerated() {
                line(&out, family.name, ["shard": "\(index)"], family.value(stats))
            }
            line(&out, family.name, ["shard": "total"], family.value(total))
        }
        header(&out, "pushpind_requests_total", "counter", "Responses sent to clients, by status class.")
        for (label, stats) in labelled(shards, total) {
            for (index, count) in stats.responsesByClass.enumerated() {
                line(&out, "pushpind_requests_total", ["shard": label, "class": "\(index + 1)xx"], count)
            }
        }
        header(&out, "pushpind_backend_errors_total", "counter", "Backend failures: connect errors, resets, timeouts.")
        for (label, stats) in labelled(shards, total) {
            line(&out, "pushpind_backend_errors_total", ["shard": label, "kind": "connect"], stats.backendConnectErrors)
            line(&out, "pushpind_backend_errors_total", ["shard": label, "kind": "reset"], stats.backendResetErrors)
            line(&out, "pushpind_backend_errors_total", ["shard": label, "kind": "timeout"], stats.backendTimeouts)
        }
        return out
    }

    private static func labelled(_ shards: [ShardStats], _ total: ShardStats) -> [(String, ShardStats)] {
        shards.enumerated().map { ("\($0.offset)", $0.element) } + [("total", total)]
    }

    private static func header(_ out: inout String, _ name: String, _ type: String, _ help: String) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    private static func line(_ out: inout String, _ name: String, _ labels: KeyValuePairs<String, String>, _ value: Int) {
        out += name
        out += "{"
        out += labels.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ",")
        out += "} \(value)\n"
    }
}
