/// Which `pushpin.conf` keys pushpind reads, which Pushpin keys it deliberately ignores (they configure
/// Pushpin's separate processes and ZeroMQ plumbing), and which are unknown (often a typo).
enum ConfigKeyCatalog {
    enum Use: Equatable {
        case used, notUsed, unknown
    }

    static func classify(section: String, name: String) -> Use {
        if used[section]?.contains(name) == true { return .used }
        if notUsed[section]?.contains(name) == true { return .notUsed }
        // Internal ZeroMQ specs and helper binaries: Pushpin has many, pushpind needs none.
        if ["global", "runner", "proxy", "handler"].contains(section),
           name.hasSuffix("_spec") || name.hasSuffix("_specs") || name.hasSuffix("_bin") {
            return .notUsed
        }
        return .unknown
    }

    /// The notice for a key present in a config file, or nil when pushpind uses it.
    static func notice(section: String, name: String) -> String? {
        switch classify(section: section, name: name) {
        case .used: return nil
        case .notUsed: return "ignoring [\(section)] \(name) (not used by pushpind)"
        case .unknown: return "ignoring [\(section)] \(name) (unknown key)"
        }
    }

    private static let used: [String: Set<String>] = [
        "global": ["include", "libdir", "rundir", "ipc_prefix", "port_offset", "stats_connection_ttl"],
        "runner": [
            "rundir", "http_port", "https_ports", "client_buffer_size", "client_maxconn", "allow_compression", "log_level",
            "websocket_ping_interval", "websocket_message_max", "client_header_timeout", "client_idle_timeout",
            "client_body_timeout", "client_handshake_timeout",
        ],
        "proxy": [
            "routesfile", "debug", "auto_cross_origin", "accept_x_forwarded_protocol", "set_x_forwarded_protocol",
            "x_forwarded_for", "x_forwarded_for_trusted", "orig_headers_need_mark", "accept_pushpin_route",
            "cdn_loop", "log_from", "log_user_agent", "sig_iss", "sig_key", "upstream_key", "stats_report_interval",
            "backend_timeout", "backend_pool_max",
        ],
        "handler": [
            "push_in_http_addr", "push_in_http_port", "push_in_http_max_headers_size", "push_in_http_max_body_size",
            "push_in_http_key", "push_in_http_idle_timeout", "connection_subscription_max", "stats_report_interval", "push_in_spec",
            "push_in_sub_specs", "push_in_sub_connect", "subscription_linger", "command_spec",
            "message_wait", "id_cache_ttl",
            "update_on_first_subscription", "recovery_update_rate",
            "stats_spec", "stats_format", "stats_subscription_ttl",
        ],
    ]

    private static let notUsed: [String: Set<String>] = [
        "global": ["stats_connection_send"],
        "runner": ["services", "local_ports", "logdir"],
        "proxy": [
            "sockjs_url", "updates_check", "organization_name", "workers", "max_open_requests",
            "stats_connections_max_ttl", "prometheus_port", "prometheus_prefix", "ipc_file_mode",
        ],
        "handler": [
            "ipc_file_mode", "message_rate", "message_hwm", "message_block_size",
            "prometheus_port", "prometheus_prefix", "share_all", "message_keys",
        ],
    ]
}
