import Foundation
import Testing
@testable import Wire

/// A throwaway directory for config files; removed when the value goes away.
final class ConfigScratchDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("wire-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `text` to `name` (subdirectories created) and returns the absolute path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, Data(text.utf8))
    }

    @discardableResult
    func write(_ name: String, _ data: Data) throws -> String {
        let file = path + "/" + name
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: file))
        return file
    }
}

/// Loading pushpin.conf (spec/config.md §2): defaults, include merging, variables, paths, keys, and errors.
@Suite struct ConfigLoadTests {
    /// Loads `text` as pushpin.conf in a fresh directory whose libdir has no internal.conf.
    private func load(_ text: String, in dir: ConfigScratchDirectory? = nil) throws -> (config: ProxyConfig, notices: [String], dir: ConfigScratchDirectory) {
        let dir = try dir ?? ConfigScratchDirectory()
        let path = try dir.write("pushpin.conf", text)
        let result = try ProxyConfig.load(path: path, libDir: dir.path + "/lib")
        return (result.config, result.notices, dir)
    }

    private func loadError(_ text: String) -> ConfigError? {
        do {
            _ = try load(text)
            return nil
        } catch let error as ConfigError {
            return error
        } catch {
            return nil
        }
    }

    @Test func defaultsWithoutAnyFile() {
        let config = ProxyConfig.defaults
        #expect(config.httpPorts == [ListenAddress(host: "0.0.0.0", port: 7999)])
        #expect(config.controlAddress == ListenAddress(host: "127.0.0.1", port: 5561))
        #expect(config.routesFile == "")
        #expect(config.clientBufferSize == 8192)
        #expect(config.clientMaxConnections == 50000)
        #expect(!config.allowCompression)
        #expect(config.webSocketMessageMaxBytes == 16 << 20)
        #expect(config.logLevel == 2)
        #expect(config.xForwardedFor.isEmpty && config.xForwardedForTrusted.isEmpty)
        #expect(config.setXForwardedProtocol == .protoOnly)
        #expect(!config.acceptXForwardedProtocol && !config.acceptPushpinRoute && !config.debug)
        #expect(config.sigISS == "pushpin")
        #expect(config.sigKey == "changeme")
        #expect(config.sigKeyBytes == Array("changeme".utf8))
        #expect(config.upstreamKey == nil && config.pushInHTTPKey == nil && config.pushInHTTPKeyBytes == nil)
        #expect(config.controlMaxHeadersSize == 10000)
        #expect(config.controlMaxBodySize == 1_000_000)
        #expect(config.connectionSubscriptionMax == 20)
        #expect(config.statsReportInterval == 10)
        #expect(config.portOffset == 0)
        #expect(config.clientHeaderTimeoutSeconds == 30)
        #expect(config.clientIdleTimeoutSeconds == 60)
        #expect(config.clientBodyTimeoutSeconds == 60)
        #expect(config.backendPoolMax == 1024)
    }

    /// The client time limits are pushpind's own keys: read, 0 allowed (off), not reported
    /// as unknown.
    @Test func clientTimeouts() throws {
        let (config, notices, _) = try load("[runner]\nclient_header_timeout=2\nclient_idle_timeout=0\nclient_body_timeout=5\n")
        #expect(config.clientHeaderTimeoutSeconds == 2)
        #expect(config.clientIdleTimeoutSeconds == 0)
        #expect(config.clientBodyTimeoutSeconds == 5)
        #expect(!notices.contains { $0.contains("client_") }, "\(notices)")
        #expect(loadError("[runner]\nclient_body_timeout=-1")?.reason == "expected a non-negative integer")
    }

    /// The backend pool cap is pushpind's own key: read, 0 allowed (no keep-alive), not
    /// reported as unknown.
    @Test func backendPoolMax() throws {
        let (config, notices, _) = try load("[proxy]\nbackend_pool_max=0\n")
        #expect(config.backendPoolMax == 0)
        #expect(!notices.contains { $0.contains("backend_pool_max") }, "\(notices)")
        #expect(loadError("[proxy]\nbackend_pool_max=-1")?.reason == "expected a non-negative integer")
    }

    @Test func emptyFileGivesDefaultsAndRoutesBesideIt() throws {
        let (config, notices, dir) = try load("")
        var expected = ProxyConfig.defaults
        expected.libDir = dir.path + "/lib"
        expected.routesFile = dir.path + "/routes"
        expected.certificatesDirectory = dir.path + "/runner/certs"
        #expect(config == expected)
        #expect(notices == ["skipping include \(dir.path)/lib/internal.conf (file not found)"])
    }

    @Test func missingConfigFileThrows() {
        let path = "/nonexistent-\(UUID().uuidString)/pushpin.conf"
        #expect(throws: ConfigError(file: path, reason: "No such file or directory")) {
            _ = try ProxyConfig.load(path: path)
        }
    }

    @Test func includeValuesAreOverriddenByMainFile() throws {
        let dir = try ConfigScratchDirectory()
        try dir.write("lib/internal.conf", """
        [runner]
        http_port=1111
        client_maxconn=7
        [proxy]
        sig_iss=from-include
        debug=true
        """)
        let (config, _, _) = try load("[proxy]\nsig_iss=from-main\n", in: dir)
        #expect(config.httpPorts == [ListenAddress(host: "0.0.0.0", port: 1111)])
        #expect(config.clientMaxConnections == 7)
        #expect(config.sigISS == "from-main")
        #expect(config.debug)
    }

    @Test func includeForms() throws {
        let dir = try ConfigScratchDirectory()
        try dir.write("lib/internal.conf", "[runner]\nhttp_port=2001\n")
        try dir.write("conf.d/extra.conf", "[runner]\nhttp_port=2002\n")
        try dir.write("abs.conf", "[runner]\nhttp_port=2003\n")
        let cases: [(String, Int)] = [
            ("internal.conf", 2001), ("{libdir}/internal.conf", 2001), ("conf.d/extra.conf", 2002),
            ("./conf.d/../conf.d/extra.conf", 2002), ("\(dir.path)/abs.conf", 2003),
        ]
        for (include, port) in cases {
            let (config, notices, _) = try load("[global]\ninclude=\(include)\n", in: dir)
            #expect(config.httpPorts.map(\.port) == [port], "\(include)")
            #expect(notices.isEmpty, "\(include): \(notices)")
        }
        let (config, notices, _) = try load("[global]\ninclude=\n", in: dir)
        #expect(config.httpPorts.map(\.port) == [7999])
        #expect(notices.isEmpty)
    }

    @Test func libdirKeyLocatesInclude() throws {
        let dir = try ConfigScratchDirectory()
        try dir.write("mylib/internal.conf", "[runner]\nhttp_port=3001\n")
        let (config, _, _) = try load("[global]\nlibdir=\(dir.path)/mylib\n", in: dir)
        #expect(config.httpPorts.map(\.port) == [3001])
        #expect(config.libDir == dir.path + "/mylib")
    }

    @Test func unreadableIncludeThrows() throws {
        let dir = try ConfigScratchDirectory()
        try FileManager.default.createDirectory(atPath: dir.path + "/adir", withIntermediateDirectories: true)
        #expect(throws: ConfigError(file: dir.path + "/adir", reason: "Is a directory")) {
            _ = try load("[global]\ninclude=adir\n", in: dir)
        }
    }

    @Test func variablesAreSubstituted() throws {
        let (config, _, dir) = try load("""
        [global]
        rundir=/var/run/pp
        ipc_prefix=p7-
        [proxy]
        routesfile={rundir}/{ipc_prefix}routes
        sig_iss={libdir}
        """)
        #expect(config.runDir == "/var/run/pp")
        #expect(config.ipcPrefix == "p7-")
        #expect(config.routesFile == "/var/run/pp/p7-routes")
        #expect(config.sigISS == dir.path + "/lib")
    }

    @Test func runnerRundirIsTheFallback() throws {
        let (config, _, _) = try load("[runner]\nrundir=/old/place\n")
        #expect(config.runDir == "/old/place")
    }

    @Test func portOffsetMovesOnlyTheControlPort() throws {
        let (config, _, _) = try load("""
        [global]
        port_offset=10
        [runner]
        http_port=7999
        [handler]
        push_in_http_addr=0.0.0.0
        push_in_http_port=5561
        """)
        #expect(config.portOffset == 10)
        #expect(config.controlAddress == ListenAddress(host: "0.0.0.0", port: 5571))
        #expect(config.httpPorts == [ListenAddress(host: "0.0.0.0", port: 7999)])
        let (defaulted, _, _) = try load("[global]\nport_offset=20\n")
        #expect(defaulted.controlAddress.port == 5581)
    }

    @Test func zeroMQInputsTakeThePortOffset() throws {
        let (config, notices, _) = try load("""
        [global]
        port_offset=10
        [handler]
        push_in_spec=tcp://127.0.0.1:5560
        push_in_sub_specs=tcp://127.0.0.1:5562, ipc://{rundir}/sub
        push_in_sub_connect=true
        subscription_linger=5
        """)
        #expect(config.pushInSpec == "tcp://127.0.0.1:5570")
        #expect(config.pushInSubSpecs == ["tcp://127.0.0.1:5572", "ipc://\(config.runDir)/sub"])
        #expect(config.pushInSubConnect)
        #expect(config.subscriptionLinger == 5)
        #expect(notices.filter { $0.contains("push_in") || $0.contains("linger") }.isEmpty)
        let (unset, _, _) = try load("[handler]\npush_in_spec=\n")
        #expect(unset.pushInSpec == nil)
        #expect(unset.pushInSubSpecs.isEmpty)
        #expect(throws: ConfigError.self) { try load("[handler]\npush_in_spec=tcp://127.0.0.1\n") }
        #expect(throws: ConfigError.self) { try load("[handler]\npush_in_spec=127.0.0.1:5560\n") }
    }

    @Test func sequencingKeys() throws {
        let (defaulted, _, _) = try load("[handler]\n")
        #expect(defaulted.messageWait == 5000)
        #expect(defaulted.idCacheTTL == 0, "Pushpin's code default: de-duplication off")
        let (config, notices, _) = try load("[handler]\nmessage_wait=250\nid_cache_ttl=60\n")
        #expect(config.messageWait == 250)
        #expect(config.idCacheTTL == 60)
        #expect(notices.filter { $0.contains("message_wait") || $0.contains("id_cache_ttl") }.isEmpty)
        #expect(throws: ConfigError.self) { try load("[handler]\nmessage_wait=-1\n") }
        #expect(throws: ConfigError.self) { try load("[handler]\nid_cache_ttl=soon\n") }
    }

    @Test func statsSocketKeys() throws {
        let (defaulted, _, _) = try load("[handler]\n")
        #expect(defaulted.statsSpec == nil && defaulted.statsFormat == .tnetstring)
        #expect(defaulted.statsConnectionTTL == 120 && defaulted.statsSubscriptionTTL == 60)
        let (config, notices, _) = try load(
            "[global]\nport_offset=3\nstats_connection_ttl=30\n[handler]\nstats_spec=tcp://127.0.0.1:5570\nstats_format=json\nstats_subscription_ttl=20\n")
        #expect(config.statsSpec == "tcp://127.0.0.1:5573")
        #expect(config.statsFormat == .json)
        #expect(config.statsConnectionTTL == 30 && config.statsSubscriptionTTL == 20)
        #expect(notices.filter { $0.contains("stats_") }.isEmpty)
    }

    @Test func ipv6ControlAddress() throws {
        let (config, _, _) = try load("[handler]\npush_in_http_addr=[::1]\n")
        #expect(config.controlAddress == ListenAddress(host: "::1", port: 5561))
    }

    @Test func httpPortLists() throws {
        let cases: [(String, [ListenAddress])] = [
            ("7999", [ListenAddress(host: "0.0.0.0", port: 7999)]),
            ("127.0.0.1:7999,8000", [ListenAddress(host: "127.0.0.1", port: 7999), ListenAddress(host: "0.0.0.0", port: 8000)]),
            (" [::]:80 , 81 ", [ListenAddress(host: "::", port: 80), ListenAddress(host: "0.0.0.0", port: 81)]),
            ("", []),
        ]
        for (value, expected) in cases {
            let (config, _, _) = try load("[runner]\nhttp_port=\(value)\n")
            #expect(config.httpPorts == expected, "\(value)")
        }
    }

    @Test func httpsPortsAndTheCertificatesBesideTheConfig() throws {
        let dir = try ConfigScratchDirectory()
        let (config, _, _) = try load("[runner]\nhttps_ports=443, 127.0.0.1:8443\n", in: dir)
        #expect(config.httpsPorts == [ListenAddress(host: "0.0.0.0", port: 443), ListenAddress(host: "127.0.0.1", port: 8443)])
        #expect(config.certificatesDirectory == dir.path + "/runner/certs")
        #expect(throws: ConfigError.self) { try load("[runner]\nhttps_ports=443,x\n") }
        let (plain, _, _) = try load("[runner]\nhttp_port=80\n")
        #expect(plain.httpsPorts.isEmpty)
    }

    @Test func routesFileResolution() throws {
        let dir = try ConfigScratchDirectory()
        let cases: [(String, String)] = [
            ("routes", dir.path + "/routes"), ("conf/my-routes", dir.path + "/conf/my-routes"),
            ("../shared/routes", (dir.path as NSString).deletingLastPathComponent + "/shared/routes"),
            ("/etc/pushpin/routes", "/etc/pushpin/routes"), ("", ""),
        ]
        for (value, expected) in cases {
            let (config, _, _) = try load("[proxy]\nroutesfile=\(value)\n", in: dir)
            #expect(config.routesFile == expected, "\(value)")
        }
    }

    @Test func relativeConfigPathIsMadeAbsolute() throws {
        let dir = try ConfigScratchDirectory()
        try dir.write("pushpin.conf", "[proxy]\nsig_key=file:keys/sig\n")
        try dir.write("keys/sig", Data([0x00, 0xff, 0x0a]))
        // A relative path from the working directory, built without chdir (tests run in parallel).
        let depth = FileManager.default.currentDirectoryPath.split(separator: "/").count
        let relative = String(repeating: "../", count: depth) + dir.path.dropFirst() + "/pushpin.conf"
        let (config, _) = try ProxyConfig.load(path: relative, libDir: dir.path)
        #expect(config.routesFile == dir.path + "/routes")
        #expect(config.sigKeyBytes == [0x00, 0xff, 0x0a])
    }

    @Test func keyForms() throws {
        let dir = try ConfigScratchDirectory()
        try dir.write("secret.key", Data([0x01, 0x02, 0x0a]))
        let (config, _, _) = try load("""
        [proxy]
        sig_key=base64:aGVsbG8=
        upstream_key=file:secret.key
        [handler]
        push_in_http_key=base64:c2VjcmV0
        """, in: dir)
        #expect(config.sigKey == "base64:aGVsbG8=")
        #expect(config.sigKeyBytes == Array("hello".utf8))
        #expect(config.upstreamKey == "file:secret.key")
        #expect(config.upstreamKeyBytes == [0x01, 0x02, 0x0a])
        #expect(config.pushInHTTPKey == "base64:c2VjcmV0")
        #expect(config.pushInHTTPKeyBytes == Array("secret".utf8))

        let (plain, _, _) = try load("[proxy]\nsig_key=plain text\nupstream_key=\n[handler]\npush_in_http_key=\n")
        #expect(plain.sigKeyBytes == Array("plain text".utf8))
        #expect(plain.upstreamKey == nil && plain.pushInHTTPKey == nil)
    }

    @Test func forwardingSettings() throws {
        let (config, _, _) = try load("""
        [proxy]
        x_forwarded_for=truncate:0,append
        x_forwarded_for_trusted= append ,, truncate:3
        set_x_forwarded_protocol=true
        accept_x_forwarded_protocol=yes
        accept_pushpin_route=1
        orig_headers_need_mark=X-A, X-B
        cdn_loop=pushpind
        """)
        #expect(config.xForwardedFor == [.truncate(0), .append])
        #expect(config.xForwardedForTrusted == [.append, .truncate(3)])
        #expect(config.setXForwardedProtocol == .both)
        #expect(config.acceptXForwardedProtocol && config.acceptPushpinRoute)
        #expect(config.origHeadersNeedMark == ["X-A", "X-B"])
        #expect(config.cdnLoop == "pushpind")
    }

    @Test func setXForwardedProtocolModes() throws {
        for (value, mode) in [("proto-only", ForwardedProtocolMode.protoOnly), ("true", .both), ("false", .none), ("", .none)] {
            let (config, _, _) = try load("[proxy]\nset_x_forwarded_protocol=\(value)\n")
            #expect(config.setXForwardedProtocol == mode, "\(value)")
        }
    }

    @Test func otherValues() throws {
        let (config, _, _) = try load("""
        [runner]
        client_buffer_size=16384
        client_maxconn=1000000
        allow_compression=TRUE
        websocket_message_max=1048576
        log_level=proxy:3,handler:1
        [proxy]
        debug=on
        auto_cross_origin=true
        log_from=true
        log_user_agent=false
        stats_report_interval=30
        [handler]
        push_in_http_max_headers_size=20000
        push_in_http_max_body_size=5000000
        connection_subscription_max=50
        """)
        #expect(config.clientBufferSize == 16384)
        #expect(config.clientMaxConnections == 1_000_000)
        #expect(config.allowCompression && config.debug && config.autoCrossOrigin && config.logFrom && !config.logUserAgent)
        #expect(config.webSocketMessageMaxBytes == 1 << 20)
        #expect(config.logLevel == 3)
        #expect(config.statsReportInterval == 30)
        #expect(config.controlMaxHeadersSize == 20000)
        #expect(config.controlMaxBodySize == 5_000_000)
        #expect(config.connectionSubscriptionMax == 50)
        let (handlerWins, _, _) = try load("[proxy]\nstats_report_interval=30\n[handler]\nstats_report_interval=5\n")
        #expect(handlerWins.statsReportInterval == 5)
    }

    @Test(arguments: [
        ("[runner]\nhttp_port=abc", "runner.http_port", "abc"),
        ("[runner]\nhttp_port=0", "runner.http_port", "0"),
        ("[runner]\nhttp_port=7999,70000", "runner.http_port", "7999,70000"),
        ("[runner]\nhttp_port=::1:80", "runner.http_port", "::1:80"),
        ("[runner]\nclient_buffer_size=abc", "runner.client_buffer_size", "abc"),
        ("[runner]\nclient_buffer_size=-1", "runner.client_buffer_size", "-1"),
        ("[runner]\nclient_buffer_size=0", "runner.client_buffer_size", "0"),
        ("[runner]\nclient_maxconn=lots", "runner.client_maxconn", "lots"),
        ("[runner]\nclient_header_timeout=-1", "runner.client_header_timeout", "-1"),
        ("[runner]\nclient_idle_timeout=1.5", "runner.client_idle_timeout", "1.5"),
        ("[runner]\nclient_body_timeout=soon", "runner.client_body_timeout", "soon"),
        ("[runner]\nallow_compression=maybe", "runner.allow_compression", "maybe"),
        ("[runner]\nwebsocket_message_max=0", "runner.websocket_message_max", "0"),
        ("[runner]\nlog_level=loud", "runner.log_level", "loud"),
        ("[global]\nport_offset=-1", "global.port_offset", "-1"),
        ("[global]\nport_offset=x", "global.port_offset", "x"),
        ("[proxy]\ndebug=sure", "proxy.debug", "sure"),
        ("[proxy]\nx_forwarded_for=truncate:x", "proxy.x_forwarded_for", "truncate:x"),
        ("[proxy]\nx_forwarded_for=append,prepend", "proxy.x_forwarded_for", "append,prepend"),
        ("[proxy]\nx_forwarded_for_trusted=truncate:-1", "proxy.x_forwarded_for_trusted", "truncate:-1"),
        ("[proxy]\nsig_key=base64:not base64!", "proxy.sig_key", "base64:not base64!"),
        ("[proxy]\nsig_key=file:missing.key", "proxy.sig_key", "file:missing.key"),
        ("[proxy]\nupstream_key=base64:@@", "proxy.upstream_key", "base64:@@"),
        ("[proxy]\nstats_report_interval=-5", "proxy.stats_report_interval", "-5"),
        ("[handler]\npush_in_http_port=x", "handler.push_in_http_port", "x"),
        ("[handler]\npush_in_http_port=0", "handler.push_in_http_port", "0"),
        ("[handler]\npush_in_http_port=65536", "handler.push_in_http_port", "65536"),
        ("[global]\nport_offset=100\n[handler]\npush_in_http_port=65500", "handler.push_in_http_port", "65500"),
        ("[handler]\npush_in_http_max_headers_size=-5", "handler.push_in_http_max_headers_size", "-5"),
        ("[handler]\npush_in_http_max_body_size=1e6", "handler.push_in_http_max_body_size", "1e6"),
        ("[handler]\npush_in_http_key=base64:%%", "handler.push_in_http_key", "base64:%%"),
        ("[handler]\nconnection_subscription_max=0", "handler.connection_subscription_max", "0"),
        ("[handler]\nstats_format=xml", "handler.stats_format", "xml"),
        ("[handler]\nstats_subscription_ttl=0", "handler.stats_subscription_ttl", "0"),
    ])
    func invalidValueNamesKey(text: String, key: String, value: String) throws {
        let error = try #require(loadError(text))
        #expect(error.key == key)
        #expect(error.value == value)
        #expect(error.kind == .invalidValue)
        let dot = try #require(key.firstIndex(of: "."))
        #expect(error.description.hasPrefix("invalid value for [\(key[..<dot])] \(key[key.index(after: dot)...]): \"\(value)\" ("))
    }

    @Test func invalidValueReasons() throws {
        #expect(loadError("[runner]\nclient_buffer_size=abc")?.description
            == #"invalid value for [runner] client_buffer_size: "abc" (expected a positive integer)"#)
        #expect(loadError("[handler]\npush_in_http_port=0")?.reason == "expected a port number 1-65535")
        #expect(loadError("[proxy]\nsig_key=file:missing.key")?.reason.hasPrefix("cannot read key file ") == true)
    }

    @Test func ignoredAndUnknownKeysBecomeNoticesOnce() throws {
        let dir = try ConfigScratchDirectory()
        try dir.write("lib/internal.conf", """
        [proxy]
        condure_in_specs=ipc://x
        sockjs_url=http://example
        [handler]
        proxy_accept_spec=ipc://y
        """)
        let (_, notices, _) = try load("""
        [runner]
        services=condure,pushpin-proxy,pushpin-handler
        services=connmgr,proxy,handler
        condure_bin=condure
        http_port=7999
        [proxy]
        sockjs_url=http://other
        routsfile=typo
        [handler]
        message_rate=2500
        [custom]
        thing=1
        stray line
        """, in: dir)
        #expect(notices == [
            "\(dir.path)/pushpin.conf:13: ignoring line that is neither [section] nor key=value",
            "ignoring [runner] services (not used by pushpind)",
            "ignoring [runner] condure_bin (not used by pushpind)",
            "ignoring [proxy] sockjs_url (not used by pushpind)",
            "ignoring [proxy] routsfile (unknown key)",
            "ignoring [handler] message_rate (not used by pushpind)",
            "ignoring [custom] thing (unknown key)",
            "ignoring [proxy] condure_in_specs (not used by pushpind)",
            "ignoring [handler] proxy_accept_spec (not used by pushpind)",
        ])
    }
}
