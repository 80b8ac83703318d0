extension ProxyConfig {
    /// Loads a `pushpin.conf`.
    ///
    /// - `[global] include` (default `{libdir}/internal.conf`; `internal.conf` alone means libdir; relative
    ///   paths against the config file's directory) is read first and the main file overrides it. A missing
    ///   include is skipped with a notice, so a stock Debian config loads where Pushpin is not installed.
    /// - `{libdir}`, `{rundir}`, `{ipc_prefix}` are substituted; `port_offset` is added to `push_in_http_port`.
    /// - Keys pushpind does not read come back as notices, once each, in file order (main file first).
    /// - Invalid values throw a `ConfigError` naming the key.
    ///
    /// `libDir` stands in for Pushpin's compiled-in library directory when the file sets no `[global] libdir`.
    public static func load(path: String, libDir: String = defaultLibDir) throws(ConfigError) -> (config: ProxyConfig, notices: [String]) {
        try load(path: path, libDir: libDir, read: ConfigFileSystem.contents)
    }

    /// `load(path:libDir:)` with every file (main, include, `file:` keys) read by `read`.
    static func load(
        path: String, libDir: String, read: @escaping ConfigFileSystem.Reader
    ) throws(ConfigError) -> (config: ProxyConfig, notices: [String]) {
        let absolutePath = ConfigFileSystem.absolute(path)
        let directory = ConfigFileSystem.directory(of: absolutePath)
        var notices: [String] = []
        guard let main = try readINI(absolutePath, displayPath: path, optional: false, read: read, notices: &notices) else {
            throw ConfigError(file: path, reason: "No such file or directory")
        }

        var config = ProxyConfig()
        config.libDir = libDir
        // Pushpin reads these from the main file alone: they decide where the include is.
        if let libDir = nonEmpty(main.value("global", "libdir")) { config.libDir = libDir }
        if let runDir = nonEmpty(main.value("global", "rundir")) ?? nonEmpty(main.value("runner", "rundir")) {
            config.runDir = runDir
        }
        if let prefix = main.value("global", "ipc_prefix") { config.ipcPrefix = prefix }

        var source = ConfigSource(main: main, include: nil, directory: directory,
                                  libDir: config.libDir, runDir: config.runDir, ipcPrefix: config.ipcPrefix, read: read)
        config.portOffset = try source.int("global", "port_offset", default: 0, minimum: 0)

        var includeSpec = main.value("global", "include") ?? "{libdir}/internal.conf"
        if includeSpec == "internal.conf" { includeSpec = "{libdir}/internal.conf" }
        includeSpec = source.substitute(includeSpec)
        if !includeSpec.isEmpty {
            let includePath = ConfigFileSystem.absolute(includeSpec, relativeTo: directory)
            let include = try readINI(includePath, displayPath: includePath, optional: true, read: read, notices: &notices)
            source = ConfigSource(main: main, include: include, directory: directory,
                                  libDir: config.libDir, runDir: config.runDir, ipcPrefix: config.ipcPrefix, read: read)
        }

        try config.readRunner(source)
        try config.readProxy(source)
        try config.readHandler(source)
        notices += ignoredKeyNotices(main: main, include: source.include)
        return (config, notices)
    }

    /// nil when an optional file does not exist (with a notice); throws when a file exists but cannot be read.
    private static func readINI(
        _ path: String, displayPath: String, optional: Bool, read: ConfigFileSystem.Reader, notices: inout [String]
    ) throws(ConfigError) -> INIFile? {
        switch read(path) {
        case .success(let bytes):
            let file = INIFile.parse(String(decoding: bytes, as: UTF8.self))
            for line in file.malformedLines {
                notices.append("\(displayPath):\(line): ignoring line that is neither [section] nor key=value")
            }
            return file
        case .failure(let failure) where failure.isMissing && optional:
            notices.append("skipping include \(path) (file not found)")
            return nil
        case .failure(let failure):
            throw ConfigError(file: displayPath, reason: failure.reason)
        }
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    private static func ignoredKeyNotices(main: INIFile, include: INIFile?) -> [String] {
        var seen: Set<INIFile.Key> = []
        var notices: [String] = []
        for key in main.keyOrder + (include?.keyOrder ?? []) where seen.insert(key).inserted {
            if let notice = ConfigKeyCatalog.notice(section: key.section, name: key.name) { notices.append(notice) }
        }
        return notices
    }

    // MARK: - Sections

    /// A comma list of `[addr:]port`.
    private static func listenAddresses(_ text: String, key: String) throws(ConfigError) -> [ListenAddress] {
        var addresses: [ListenAddress] = []
        for item in ConfigText.list(text) {
            guard let address = ListenAddress.parse(item) else {
                throw ConfigError(key: key, value: text, reason: "'\(item)' is not [addr:]port with a port 1-65535")
            }
            addresses.append(address)
        }
        return addresses
    }

    private mutating func readRunner(_ source: ConfigSource) throws(ConfigError) {
        if let ports = source.string("runner", "http_port") {
            httpPorts = try Self.listenAddresses(ports, key: "runner.http_port")
        }
        if let ports = source.string("runner", "https_ports") {
            httpsPorts = try Self.listenAddresses(ports, key: "runner.https_ports")
        }
        certificatesDirectory = source.directory + "/runner/certs"
        clientBufferSize = try source.int("runner", "client_buffer_size", default: clientBufferSize, minimum: 1)
        clientMaxConnections = try source.int("runner", "client_maxconn", default: clientMaxConnections, minimum: 1)
        allowCompression = try source.bool("runner", "allow_compression", default: allowCompression)
        webSocketPingSeconds = try source.int("runner", "websocket_ping_interval", default: webSocketPingSeconds, minimum: 0)
        webSocketMessageMaxBytes = try source.int("runner", "websocket_message_max", default: webSocketMessageMaxBytes, minimum: 1)
        clientHeaderTimeoutSeconds = try source.int("runner", "client_header_timeout", default: clientHeaderTimeoutSeconds, minimum: 0)
        clientIdleTimeoutSeconds = try source.int("runner", "client_idle_timeout", default: clientIdleTimeoutSeconds, minimum: 0)
        clientBodyTimeoutSeconds = try source.int("runner", "client_body_timeout", default: clientBodyTimeoutSeconds, minimum: 0)
        clientHandshakeTimeoutSeconds = try source.int(
            "runner", "client_handshake_timeout", default: clientHandshakeTimeoutSeconds, minimum: 0)
        if let level = source.nonEmpty("runner", "log_level") {
            guard let parsed = Self.parseLogLevel(level) else {
                throw ConfigError(key: "runner.log_level", value: level, reason: "expected a level 0-4 or a list like proxy:3,handler:2")
            }
            logLevel = parsed
        }
    }

    private mutating func readProxy(_ source: ConfigSource) throws(ConfigError) {
        let routes = source.string("proxy", "routesfile") ?? "routes"
        routesFile = routes.isEmpty ? "" : ConfigFileSystem.absolute(routes, relativeTo: source.directory)
        debug = try source.bool("proxy", "debug", default: false)
        autoCrossOrigin = try source.bool("proxy", "auto_cross_origin", default: false)
        acceptXForwardedProtocol = try source.bool("proxy", "accept_x_forwarded_protocol", default: false)
        switch source.string("proxy", "set_x_forwarded_protocol") {
        case nil, "proto-only"?: setXForwardedProtocol = .protoOnly
        case "true"?: setXForwardedProtocol = .both
        default: setXForwardedProtocol = .none
        }
        xForwardedFor = try Self.parseXFFRules(source, "x_forwarded_for")
        xForwardedForTrusted = try Self.parseXFFRules(source, "x_forwarded_for_trusted")
        origHeadersNeedMark = ConfigText.list(source.string("proxy", "orig_headers_need_mark") ?? "")
        acceptPushpinRoute = try source.bool("proxy", "accept_pushpin_route", default: false)
        cdnLoop = source.nonEmpty("proxy", "cdn_loop")
        logFrom = try source.bool("proxy", "log_from", default: false)
        logUserAgent = try source.bool("proxy", "log_user_agent", default: false)
        backendTimeoutSeconds = try source.int("proxy", "backend_timeout", default: backendTimeoutSeconds, minimum: 1)
        backendPoolMax = try source.int("proxy", "backend_pool_max", default: backendPoolMax, minimum: 0)
        sigISS = source.string("proxy", "sig_iss") ?? sigISS
        sigKey = source.string("proxy", "sig_key") ?? sigKey
        sigKeyBytes = try KeyMaterial.resolve(sigKey, relativeTo: source.directory, key: "proxy.sig_key", read: source.read)
        if let key = try source.key("proxy", "upstream_key") {
            upstreamKey = key.text
            upstreamKeyBytes = key.bytes
        }
    }

    private mutating func readHandler(_ source: ConfigSource) throws(ConfigError) {
        var host = source.nonEmpty("handler", "push_in_http_addr") ?? controlAddress.host
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = try source.port("handler", "push_in_http_port", default: controlAddress.port)
        guard (1...65535).contains(port + portOffset) else {
            throw ConfigError(key: "handler.push_in_http_port", value: String(port),
                              reason: "port plus port_offset \(portOffset) is outside 1-65535")
        }
        controlAddress = ListenAddress(host: host, port: port + portOffset)
        controlMaxHeadersSize = try source.int("handler", "push_in_http_max_headers_size", default: controlMaxHeadersSize, minimum: 1)
        controlMaxBodySize = try source.int("handler", "push_in_http_max_body_size", default: controlMaxBodySize, minimum: 1)
        controlIdleTimeoutSeconds = try source.int("handler", "push_in_http_idle_timeout", default: controlIdleTimeoutSeconds, minimum: 0)
        if let key = try source.key("handler", "push_in_http_key") {
            pushInHTTPKey = key.text
            pushInHTTPKeyBytes = key.bytes
        }
        connectionSubscriptionMax = try source.int("handler", "connection_subscription_max", default: connectionSubscriptionMax, minimum: 1)
        updateOnFirstSubscription = try source.bool("handler", "update_on_first_subscription", default: updateOnFirstSubscription)
        recoveryUpdateRate = try source.int("handler", "recovery_update_rate", default: recoveryUpdateRate, minimum: 1)
        let intervalSection = source.nonEmpty("handler", "stats_report_interval") != nil ? "handler" : "proxy"
        statsReportInterval = try source.int(intervalSection, "stats_report_interval", default: statsReportInterval, minimum: 0)
        if let spec = source.nonEmpty("handler", "push_in_spec") {
            pushInSpec = try ZMQSpec.offsetting(spec, by: portOffset, key: "handler.push_in_spec")
        }
        if let specs = source.string("handler", "push_in_sub_specs") {
            pushInSubSpecs = []
            for spec in ConfigText.list(specs) {
                pushInSubSpecs.append(try ZMQSpec.offsetting(spec, by: portOffset, key: "handler.push_in_sub_specs"))
            }
        }
        if let spec = source.nonEmpty("handler", "command_spec") {
            commandSpec = try ZMQSpec.offsetting(spec, by: portOffset, key: "handler.command_spec")
        }
        if let spec = source.nonEmpty("handler", "stats_spec") {
            statsSpec = try ZMQSpec.offsetting(spec, by: portOffset, key: "handler.stats_spec")
        }
        if let format = source.nonEmpty("handler", "stats_format") {
            guard let known = StatsFormat(rawValue: format) else {
                throw ConfigError(key: "handler.stats_format", value: format, reason: "expected tnetstring or json")
            }
            statsFormat = known
        }
        statsConnectionTTL = try source.int("global", "stats_connection_ttl", default: statsConnectionTTL, minimum: 1)
        statsSubscriptionTTL = try source.int("handler", "stats_subscription_ttl", default: statsSubscriptionTTL, minimum: 1)
        pushInSubConnect = try source.bool("handler", "push_in_sub_connect", default: pushInSubConnect)
        subscriptionLinger = try source.int("handler", "subscription_linger", default: subscriptionLinger, minimum: 0)
        messageWait = try source.int("handler", "message_wait", default: messageWait, minimum: 0)
        idCacheTTL = try source.int("handler", "id_cache_ttl", default: idCacheTTL, minimum: 0)
    }

    // MARK: - Value forms

    /// `truncate:N` and `append`, comma-separated; empty items are skipped.
    private static func parseXFFRules(_ source: ConfigSource, _ key: String) throws(ConfigError) -> [XForwardedForRule] {
        guard let text = source.string("proxy", key) else { return [] }
        var rules: [XForwardedForRule] = []
        for item in ConfigText.list(text) {
            if item == "append" {
                rules.append(.append)
            } else if item.hasPrefix("truncate:"), let count = Int(item.dropFirst(9)), count >= 0 {
                rules.append(.truncate(count))
            } else {
                throw ConfigError(key: "proxy.\(key)", value: text, reason: "'\(item)' is neither truncate:N nor append")
            }
        }
        return rules
    }

    /// `3`, or Pushpin's per-service form `proxy:3,handler:2`; pushpind is one process, so the most verbose level wins.
    static func parseLogLevel(_ text: String) -> Int? {
        var level: Int?
        for item in ConfigText.list(text) {
            let number = item.split(separator: ":", maxSplits: 1).last.map { ConfigText.trim($0) } ?? ""
            guard let value = Int(number), value >= 0 else { return nil }
            level = max(level ?? 0, value)
        }
        return level
    }
}
