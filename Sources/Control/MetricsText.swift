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
        Family(
            name: "pushpind_ring_submissions_deferred_total", type: "counter",
            help: "Ring operations that found the submission queue full and waited for the next submit."
        ) {
            $0.ringSubmissionsDeferred
        },
        Family(name: "pushpind_subscriptions", type: "gauge", help: "Connection-channel subscriptions.") {
            $0.subscriptions
        },
        Family(name: "pushpind_channels", type: "gauge", help: "Channels with at least one subscriber.") {
            $0.channels
        },
        Family(name: "pushpind_messages_received_total", type: "counter", help: "Published messages received by shards.") {
            $0.messagesReceived
        },
        Family(name: "pushpind_messages_delivered_total", type: "counter", help: "Messages queued to subscribers (one per subscriber).") {
            $0.messagesDelivered
        },
        Family(name: "pushpind_deliveries_dropped_total", type: "counter", help: "Deliveries not made because a subscriber's queue was full.") {
            $0.deliveriesDropped
        },
        Family(name: "pushpind_deliveries_filtered_total", type: "counter", help: "Deliveries withheld by a subscription's filters or content filters.") {
            $0.deliveriesFiltered
        },
        Family(name: "pushpind_filter_errors_total", type: "counter", help: "Deliveries skipped because a filter or body patch could not render the item.") {
            $0.filterErrors
        },
        Family(name: "pushpind_slow_subscriber_closes_total", type: "counter", help: "Subscribers closed for not reading.") {
            $0.slowSubscriberCloses
        },
        Family(name: "pushpind_websocket_connections_open", type: "gauge", help: "WebSocket connections open (sessions and tunnels).") {
            $0.webSocketOpen
        },
        Family(name: "pushpind_websocket_connections_opened_total", type: "counter", help: "WebSocket handshakes completed.") {
            $0.webSocketSessionsOpened
        },
        Family(name: "pushpind_websocket_handshakes_rejected_total", type: "counter", help: "Invalid WebSocket handshakes.") {
            $0.webSocketHandshakeRejections
        },
        Family(name: "pushpind_websocket_messages_received_total", type: "counter", help: "WebSocket messages from clients.") {
            $0.webSocketMessagesIn
        },
        Family(name: "pushpind_websocket_messages_sent_total", type: "counter", help: "WebSocket messages to clients.") {
            $0.webSocketMessagesOut
        },
        Family(name: "pushpind_websocket_protocol_errors_total", type: "counter", help: "Client frames that broke RFC 6455.") {
            $0.webSocketProtocolErrors
        },
        Family(name: "pushpind_websocket_event_requests_total", type: "counter", help: "WebSocket-over-HTTP requests to backends.") {
            $0.webSocketEventRequests
        },
        Family(name: "pushpind_websocket_event_failures_total", type: "counter", help: "WebSocket-over-HTTP requests that failed.") {
            $0.webSocketEventFailures
        },
        Family(
            name: "pushpind_websocket_backpressure_pauses_total", type: "counter",
            help: "Times a WebSocket-over-HTTP client was not read until its backend caught up."
        ) {
            $0.webSocketBackpressurePauses
        },
        Family(name: "pushpind_next_link_fetches_total", type: "counter", help: "GRIP next-link requests to backends.") {
            $0.nextLinkFetches
        },
        Family(
            name: "pushpind_next_link_shared_fetches_total", type: "counter",
            help: "Sessions brought up to date by another session's next-link request (same link and Grip-Last)."
        ) {
            $0.nextLinkSharedFetches
        },
        Family(name: "pushpind_next_link_retries_total", type: "counter", help: "GRIP next-link requests repeated after a failure.") {
            $0.nextLinkRetries
        },
        Family(name: "pushpind_next_link_failures_total", type: "counter", help: "Streams ended because their next link kept failing.") {
            $0.nextLinkFailures
        },
        Family(name: "pushpind_next_link_idle_refreshes_total", type: "counter", help: "GRIP next links fetched because the stream was idle.") {
            $0.nextLinkIdleRefreshes
        },
        Family(name: "pushpind_long_poll_rerequests_total", type: "counter", help: "Long-polls requested again to recover missed items.") {
            $0.longPollReRequests
        },
        Family(name: "pushpind_gone_link_posts_total", type: "counter", help: "Grip-Link rel=gone POSTs sent when held clients went away.") {
            $0.goneLinkPosts
        },
        Family(name: "pushpind_connection_slots", type: "gauge", help: "Client connection slots holding memory: open, or free and kept for reuse.") {
            $0.connectionSlots
        },
        Family(name: "pushpind_memory_reclaims_total", type: "counter", help: "Times a shard gave memory back after connections closed.") {
            $0.memoryReclaims
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
        header(&out, "pushpind_held_connections", "gauge", "Connections held by GRIP instructions, by kind.")
        for (label, stats) in labelled(shards, total) {
            line(&out, "pushpind_held_connections", ["shard": label, "kind": "stream"], stats.heldStream)
            line(&out, "pushpind_held_connections", ["shard": label, "kind": "response"], stats.heldResponse)
        }
        renderLatency(&out, total)
        header(&out, "pushpind_websocket_close_codes_total", "counter", "WebSocket close codes received or sent, by code.")
        for (label, stats) in labelled(shards, total) {
            for code in stats.closeCodes.keys.sorted() {
                line(&out, "pushpind_websocket_close_codes_total", ["shard": label, "code": "\(code)"], stats.closeCodes[code] ?? 0)
            }
        }
        header(&out, "pushpind_backend_errors_total", "counter", "Backend failures: connect errors, resets, timeouts, invalid answers, TLS failures.")
        for (label, stats) in labelled(shards, total) {
            line(&out, "pushpind_backend_errors_total", ["shard": label, "kind": "connect"], stats.backendConnectErrors)
            line(&out, "pushpind_backend_errors_total", ["shard": label, "kind": "reset"], stats.backendResetErrors)
            line(&out, "pushpind_backend_errors_total", ["shard": label, "kind": "timeout"], stats.backendTimeouts)
            line(&out, "pushpind_backend_errors_total", ["shard": label, "kind": "invalid"], stats.backendInvalidResponses)
            line(&out, "pushpind_backend_errors_total", ["shard": label, "kind": "tls"], stats.backendTLSErrors)
        }
        header(&out, "pushpind_client_timeouts_total", "counter", "Clients cut off for a slow request head, idling, or a stalled body.")
        for (label, stats) in labelled(shards, total) {
            line(&out, "pushpind_client_timeouts_total", ["shard": label, "kind": "header"], stats.clientHeaderTimeouts)
            line(&out, "pushpind_client_timeouts_total", ["shard": label, "kind": "idle"], stats.clientIdleTimeouts)
            line(&out, "pushpind_client_timeouts_total", ["shard": label, "kind": "body"], stats.clientBodyTimeouts)
        }
        header(&out, "pushpind_client_tls_handshakes_total", "counter",
               "TLS client handshakes: full, resumed (with a ticket), failed, timed out.")
        for (label, stats) in labelled(shards, total) {
            line(&out, "pushpind_client_tls_handshakes_total", ["shard": label, "kind": "full"], stats.tlsHandshakes - stats.tlsResumedHandshakes)
            line(&out, "pushpind_client_tls_handshakes_total", ["shard": label, "kind": "resumed"], stats.tlsResumedHandshakes)
            line(&out, "pushpind_client_tls_handshakes_total", ["shard": label, "kind": "failed"], stats.tlsHandshakeFailures)
            line(&out, "pushpind_client_tls_handshakes_total", ["shard": label, "kind": "timeout"], stats.tlsHandshakeTimeouts)
        }
        header(&out, "pushpind_client_tls_errors_total", "counter",
               "TLS client sessions that failed after the handshake, and certificate files that did not load.")
        for (label, stats) in labelled(shards, total) {
            line(&out, "pushpind_client_tls_errors_total", ["shard": label, "kind": "session"], stats.tlsSessionErrors)
            line(&out, "pushpind_client_tls_errors_total", ["shard": label, "kind": "certificate"], stats.tlsCertificateErrors)
        }
        return out
    }

    /// Publish → delivery latency over all shards, as a cumulative Prometheus histogram.
    private static func renderLatency(_ out: inout String, _ total: ShardStats) {
        let name = "pushpind_publish_delivery_latency_seconds"
        header(&out, name, "histogram", "Time from accepting a publish to queueing it on a subscriber.")
        var cumulative = 0
        for (index, bound) in LatencyBuckets.upperBoundsMicros.enumerated() {
            cumulative += total.latencyCounts[index]
            out += "\(name)_bucket{le=\"\(seconds(bound))\"} \(cumulative)\n"
        }
        cumulative += total.latencyCounts[LatencyBuckets.upperBoundsMicros.count]
        out += "\(name)_bucket{le=\"+Inf\"} \(cumulative)\n"
        out += "\(name)_sum \(seconds(total.latencySumMicros))\n"
        out += "\(name)_count \(cumulative)\n"
    }

    private static func seconds(_ micros: Int) -> String {
        let whole = micros / 1_000_000
        var fraction = String(micros % 1_000_000)
        while fraction.count < 6 { fraction = "0" + fraction }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? "\(whole)" : "\(whole).\(fraction)"
    }

    /// The control thread's own counters.
    static func render(control: ControlStats, ringFullWaits: Int, publishesDropped: Int, channels: Int) -> String {
        var out = ""
        header(&out, "pushpind_messages_published_total", "counter", "Items accepted by the publish API.")
        out += "pushpind_messages_published_total \(control.messagesPublished)\n"
        header(&out, "pushpind_publish_rejected_total", "counter", "Publish (and recover) requests rejected, by reason.")
        out += "pushpind_publish_rejected_total{reason=\"invalid\"} \(control.publishesRejected)\n"
        out += "pushpind_publish_rejected_total{reason=\"unauthorized\"} \(control.publishesUnauthorized)\n"
        header(&out, "pushpind_zmq_messages_received_total", "counter", "Messages read from the ZeroMQ inputs, by socket.")
        for role in ZeroMQRole.allCases {
            out += "pushpind_zmq_messages_received_total{socket=\"\(role.rawValue)\"} \(control.zeroMQReceived[role] ?? 0)\n"
        }
        header(&out, "pushpind_zmq_messages_rejected_total", "counter", "ZeroMQ messages dropped as malformed (shape or item), by socket.")
        for role in ZeroMQRole.allCases {
            out += "pushpind_zmq_messages_rejected_total{socket=\"\(role.rawValue)\"} \(control.zeroMQRejected[role] ?? 0)\n"
        }
        header(&out, "pushpind_stats_messages_total", "counter", "Messages for the stats socket, sent or dropped past its high-water mark.")
        out += "pushpind_stats_messages_total{outcome=\"sent\"} \(control.statsSent)\n"
        out += "pushpind_stats_messages_total{outcome=\"dropped\"} \(control.statsDropped)\n"
        header(&out, "pushpind_hub_ring_full_waits_total", "counter", "Commands that found a shard's mailbox full and waited.")
        out += "pushpind_hub_ring_full_waits_total \(ringFullWaits)\n"
        header(&out, "pushpind_hub_publishes_dropped_total", "counter", "Publishes dropped for a shard whose mailbox stayed full.")
        out += "pushpind_hub_publishes_dropped_total \(publishesDropped)\n"
        header(&out, "pushpind_interest_channels", "gauge", "Channels the control thread knows subscribers for.")
        out += "pushpind_interest_channels \(channels)\n"
        header(&out, "pushpind_recover_commands_total", "counter", "Recover commands (POST /recover/ and the command socket's recover).")
        out += "pushpind_recover_commands_total \(control.recoverCommands)\n"
        header(&out, "pushpind_control_bad_requests_total", "counter", "Control-port requests whose HTTP could not be read (answered, then closed).")
        out += "pushpind_control_bad_requests_total \(control.badRequests)\n"
        return out
    }

    /// The publish sequencer's counters (de-duplication and prev-id ordering).
    static func render(sequencer counters: PublishSequencer.Counters, parkedNow: Int) -> String {
        var out = ""
        header(&out, "pushpind_publish_duplicates_dropped_total", "counter", "Published items dropped: their (channel, id) was seen within id_cache_ttl.")
        out += "pushpind_publish_duplicates_dropped_total \(counters.duplicatesDropped)\n"
        header(&out, "pushpind_sequencer_parked_total", "counter", "Published items held until their prev-id's predecessor went out.")
        out += "pushpind_sequencer_parked_total \(counters.parked)\n"
        header(&out, "pushpind_sequencer_parked", "gauge", "Published items held now.")
        out += "pushpind_sequencer_parked \(parkedNow)\n"
        header(&out, "pushpind_sequencer_released_total", "counter", "Held items released: their predecessor went out, or message_wait ended.")
        out += "pushpind_sequencer_released_total{reason=\"in_order\"} \(counters.releasedInOrder)\n"
        out += "pushpind_sequencer_released_total{reason=\"timeout\"} \(counters.releasedByTimeout)\n"
        header(&out, "pushpind_sequencer_dropped_total", "counter", "Items not held: the channel's limit, a second item for one prev-id, or the channel's last subscriber left.")
        out += "pushpind_sequencer_dropped_total{reason=\"overflow\"} \(counters.droppedOverflow)\n"
        out += "pushpind_sequencer_dropped_total{reason=\"same_prev_id\"} \(counters.droppedSamePrevID)\n"
        out += "pushpind_sequencer_dropped_total{reason=\"unsubscribed\"} \(counters.droppedUnsubscribed)\n"
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
