import Foundation
import Testing
@testable import Wire

/// The stock Debian pushpin 1.36.0-2 configuration files, verbatim.
enum DebianPushpinFixture {
    /// /etc/pushpin/pushpin.conf
    static let pushpinConf = #"""
[global]
include={libdir}/internal.conf

# directory to save runtime files
rundir=/var/run/pushpin

# prefix for zmq ipc specs
ipc_prefix=pushpin-

# port offset for zmq tcp specs and http control server
port_offset=0

# TTL (seconds) for connection stats
stats_connection_ttl=120


[runner]
# services to start
services=condure,pushpin-proxy,pushpin-handler

# plain HTTP port to listen on for client connections
http_port=7999

# list of HTTPS ports to listen on for client connections (you must have certs set)
#https_ports=443

# list of unix socket paths to listen on for client connections
#local_ports={rundir}/{ipc_prefix}server

# directory to save log files
logdir=/var/log/pushpin

# logging level. 2 = info, >2 = verbose
log_level=2

# client full request header must fit in this buffer
client_buffer_size=8192

# maximum number of client connections
client_maxconn=50000

# paths
condure_bin=condure
mongrel2_bin=mongrel2
m2sh_bin=m2sh
zurl_bin=zurl


[proxy]
# routes config file (path relative to location of this file)
routesfile=routes

# enable debug mode to get informative error responses
debug=false

# whether to use automatic CORS and JSON-P wrapping
auto_cross_origin=false

# whether to accept x-forwarded-proto
accept_x_forwarded_protocol=false

# whether to assert x-forwarded-proto
set_x_forwarded_protocol=proto-only

# how to treat x-forwarded-for. example: "truncate:0,append"
x_forwarded_for=

# how to treat x-forwarded-for if grip-signed
x_forwarded_for_trusted=

# the following headers must be marked in order to qualify as orig
orig_headers_need_mark=

# whether to accept Pushpin-Route header
accept_pushpin_route=false

# include client IP address in logs
log_from=false

# include client user agent in logs
log_user_agent=false

# for signing proxied requests
sig_iss=pushpin

# for signing proxied requests. use "base64:" prefix for binary key
sig_key=changeme

# use this to allow grip to be forwarded upstream (e.g. to fanout.io)
upstream_key=

# for the sockjs iframe transport
sockjs_url=http://cdn.jsdelivr.net/sockjs/0.3.4/sockjs.min.js

# updates check has three modes:
#   report: check for new pushpin version and report anonymous usage info to
#           the pushpin developers
#   check:  check for new pushpin version only, don't report anything
#   off:    don't do any reporting or checking
# pushpin will output a log message when a new version is available. report
# mode helps the pushpin project build credibility, so please enable it if you
# enjoy this software :)
#
# NOTE: Upstream enables this feature by default. The debian package
# disables it for privacy reasons. please consider to enable it by setting
# updates_check to 'report'.
updates_check=off

# use this field to identify your organization in updates requests. if left
# blank, updates requests will be anonymous
organization_name=


[handler]
# ipc permissions (octal)
#ipc_file_mode=777

# bind PULL for receiving publish commands
push_in_spec=tcp://127.0.0.1:5560

# list of bind SUB for receiving published messages
push_in_sub_specs=tcp://127.0.0.1:5562

# whether the above SUB socket should connect instead of bind
push_in_sub_connect=false

# addr/port to listen on for receiving publish commands via HTTP
push_in_http_addr=127.0.0.1
push_in_http_port=5561

# maximum headers and body size in bytes when receiving publish commands via HTTP
push_in_http_max_headers_size=10000
push_in_http_max_body_size=1000000

# bind PUB for sending stats (metrics, subscription info, etc)
stats_spec=ipc://{rundir}/{ipc_prefix}stats

# bind REP for responding to commands
command_spec=tcp://127.0.0.1:5563

# max messages per second
message_rate=2500

# max rate-limited messages
message_hwm=25000

# set to report blocks counts in stats (content size / block size)
#message_block_size=

# max time (milliseconds) for out-of-order messages to wait
message_wait=5000

# time (seconds) to cache message ids
id_cache_ttl=60

# max subscriptions per connection
connection_subscription_max=20

# time (seconds) to linger response mode subscriptions
subscription_linger=60

# TTL (seconds) for subscription stats
stats_subscription_ttl=60

# interval (seconds) to send report stats
stats_report_interval=10

# stats output format
stats_format=tnetstring
"""#

    /// /usr/lib/pushpin/internal.conf
    static let internalConf = #"""
[proxy]
# list of connect PULL for receiving condure HTTP/WS requests
condure_in_specs=ipc://{rundir}/{ipc_prefix}condure-out

# list of connect ROUTER for continuing condure HTTP/WS requests
condure_in_stream_specs=ipc://{rundir}/{ipc_prefix}condure-out-stream

# list of connect PUB for sending condure HTTP/WS responses
condure_out_specs=ipc://{rundir}/{ipc_prefix}condure-in

# list of connect PULL for receiving mongrel2 HTTP/WS requests
m2a_in_specs=ipc://{rundir}/{ipc_prefix}m2zhttp-out,ipc://{rundir}/{ipc_prefix}m2zws-out

# list of connect ROUTER for continuing mongrel2 HTTP/WS requests
m2a_in_stream_specs=ipc://{rundir}/{ipc_prefix}m2zhttp-out-stream,ipc://{rundir}/{ipc_prefix}m2zws-out-stream

# list of connect PUB for sending mongrel2 HTTP/WS responses
m2a_out_specs=ipc://{rundir}/{ipc_prefix}m2zhttp-in,ipc://{rundir}/{ipc_prefix}m2zws-in

# list of connect PUSH for sending zurl HTTP/WS requests
zurl_out_specs=ipc:///var/run/zurl/zurl-in

# list of connect ROUTER for continuing zurl HTTP/WS requests
zurl_out_stream_specs=ipc:///var/run/zurl/zurl-in-stream

# list of connect SUB for receiving zurl HTTP/WS responses
zurl_in_specs=ipc:///var/run/zurl/zurl-out

# bind DEALER for requesting inspection info (internal, used with handler)
handler_inspect_spec=ipc://{rundir}/{ipc_prefix}inspect

# bind DEALER for passing off requests (internal, used with handler)
handler_accept_spec=ipc://{rundir}/{ipc_prefix}accept

# bind PULL for receiving retry requests (internal, used with handler)
handler_retry_in_spec=ipc://{rundir}/{ipc_prefix}retry

# bind PULL for reading handler WS control messages
handler_ws_control_in_spec=ipc://{rundir}/{ipc_prefix}ws-control-in

# bind PUSH for writing handler WS control messages
handler_ws_control_out_spec=ipc://{rundir}/{ipc_prefix}ws-control-out

# bind PUB for sending stats
stats_spec=ipc://{rundir}/{ipc_prefix}proxy-stats

# bind REP for responding to commands
command_spec=ipc://{rundir}/{ipc_prefix}proxy-command

# bind PULL for receiving HTTP requests
intreq_in_specs=ipc://{rundir}/{ipc_prefix}intreq-in

# bind ROUTER for continuing HTTP requests
intreq_in_stream_specs=ipc://{rundir}/{ipc_prefix}intreq-in-stream

# bind PUB for sending HTTP responses
intreq_out_specs=ipc://{rundir}/{ipc_prefix}intreq-out


[handler]
# connect REP for responding with inspection info (internal, used with proxy)
proxy_inspect_spec=ipc://{rundir}/{ipc_prefix}inspect

# connect REP for receiving HTTP requests (internal, used with proxy)
proxy_accept_spec=ipc://{rundir}/{ipc_prefix}accept

# connect PUSH for sending HTTP requests (internal, used with proxy)
proxy_retry_out_spec=ipc://{rundir}/{ipc_prefix}retry

# bind PULL for reading proxy WS control messages
proxy_ws_control_in_spec=ipc://{rundir}/{ipc_prefix}ws-control-out

# bind PUSH for writing proxy WS control messages
proxy_ws_control_out_spec=ipc://{rundir}/{ipc_prefix}ws-control-in

# connect SUB for receiving stats from proxy
proxy_stats_spec=ipc://{rundir}/{ipc_prefix}proxy-stats

# connect DEALER for sending commands to proxy
proxy_command_spec=ipc://{rundir}/{ipc_prefix}proxy-command

# list of connect ROUTER for continuing condure HTTP/WS requests
condure_in_stream_specs=ipc://{rundir}/{ipc_prefix}condure-out-stream

# list of connect PUB for sending condure HTTP/WS responses
condure_out_specs=ipc://{rundir}/{ipc_prefix}condure-in

# list of connect ROUTER for continuing mongrel2 HTTP/WS requests
m2a_in_stream_specs=ipc://{rundir}/{ipc_prefix}m2zhttp-out-stream,ipc://{rundir}/{ipc_prefix}m2zws-out-stream

# list of connect PUB for sending mongrel2 HTTP/WS responses
m2a_out_specs=ipc://{rundir}/{ipc_prefix}m2zhttp-in,ipc://{rundir}/{ipc_prefix}m2zws-in

# list of connect PUSH for sending HTTP requests
proxy_intreq_out_specs=ipc://{rundir}/{ipc_prefix}intreq-in

# list of connect ROUTER for continuing HTTP requests
proxy_intreq_out_stream_specs=ipc://{rundir}/{ipc_prefix}intreq-in-stream

# list of connect SUB for receiving HTTP responses
proxy_intreq_in_specs=ipc://{rundir}/{ipc_prefix}intreq-out
"""#
}

/// A stock Debian /etc/pushpin/pushpin.conf must load with Pushpin's values, with or without Pushpin installed.
@Suite struct ConfigDebianTests {
    private func expectedConfig(directory: String, libDir: String) -> ProxyConfig {
        var config = ProxyConfig.defaults
        config.libDir = libDir
        config.runDir = "/var/run/pushpin"
        config.routesFile = directory + "/routes"
        config.certificatesDirectory = directory + "/runner/certs"
        config.pushInSpec = "tcp://127.0.0.1:5560"
        config.pushInSubSpecs = ["tcp://127.0.0.1:5562"]
        config.commandSpec = "tcp://127.0.0.1:5563"
        config.statsSpec = "ipc:///var/run/pushpin/pushpin-stats"
        config.idCacheTTL = 60
        return config
    }

    /// Keys of the stock pushpin.conf that configure Pushpin's other processes, in file order.
    private let stockIgnored = [
        "[runner] services", "[runner] logdir", "[runner] condure_bin",
        "[runner] mongrel2_bin", "[runner] m2sh_bin", "[runner] zurl_bin", "[proxy] sockjs_url",
        "[proxy] updates_check", "[proxy] organization_name", "[handler] message_rate",
        "[handler] message_hwm",
    ].map { "ignoring \($0) (not used by pushpind)" }

    @Test func stockConfigWithoutInternalConf() throws {
        let dir = try ConfigScratchDirectory()
        let path = try dir.write("etc/pushpin.conf", DebianPushpinFixture.pushpinConf)
        let libDir = dir.path + "/usr-lib-pushpin"
        let (config, notices) = try ProxyConfig.load(path: path, libDir: libDir)
        #expect(config == expectedConfig(directory: dir.path + "/etc", libDir: libDir))
        #expect(notices == ["skipping include \(libDir)/internal.conf (file not found)"] + stockIgnored)
    }

    @Test func stockConfigWithInternalConf() throws {
        let dir = try ConfigScratchDirectory()
        let path = try dir.write("etc/pushpin.conf", DebianPushpinFixture.pushpinConf)
        let libDir = dir.path + "/usr-lib-pushpin"
        try dir.write("usr-lib-pushpin/internal.conf", DebianPushpinFixture.internalConf)
        let (config, notices) = try ProxyConfig.load(path: path, libDir: libDir)
        #expect(config == expectedConfig(directory: dir.path + "/etc", libDir: libDir))
        #expect(Array(notices.prefix(stockIgnored.count)) == stockIgnored)
        #expect(notices.contains("ignoring [proxy] condure_in_specs (not used by pushpind)"))
        #expect(notices.contains("ignoring [handler] proxy_inspect_spec (not used by pushpind)"))
        #expect(!notices.contains { $0.contains("unknown key") || $0.contains("skipping include") })
        #expect(Set(notices).count == notices.count)
        // Every internal.conf key is a ZeroMQ spec pushpind has no use for.
        #expect(notices.count == stockIgnored.count + 33)
    }

    @Test func stockValuesMatchPushpinDefaults() throws {
        let dir = try ConfigScratchDirectory()
        let path = try dir.write("pushpin.conf", DebianPushpinFixture.pushpinConf)
        let (config, _) = try ProxyConfig.load(path: path, libDir: dir.path)
        #expect(config.httpPorts == [ListenAddress(host: "0.0.0.0", port: 7999)])
        #expect(config.controlAddress == ListenAddress(host: "127.0.0.1", port: 5561))
        #expect(config.clientBufferSize == 8192 && config.clientMaxConnections == 50000 && config.logLevel == 2)
        #expect(config.setXForwardedProtocol == .protoOnly && config.xForwardedFor.isEmpty)
        #expect(config.sigISS == "pushpin" && config.sigKeyBytes == Array("changeme".utf8) && config.upstreamKey == nil)
        #expect(config.controlMaxHeadersSize == 10000 && config.controlMaxBodySize == 1_000_000)
        #expect(config.connectionSubscriptionMax == 20 && config.statsReportInterval == 10)
    }

    @Test(.enabled(if: FileManager.default.isReadableFile(atPath: "/etc/pushpin/pushpin.conf")))
    func installedSystemConfigLoads() throws {
        let (config, notices) = try ProxyConfig.load(path: "/etc/pushpin/pushpin.conf")
        #expect(config.routesFile == "/etc/pushpin/routes")
        #expect(!notices.contains { $0.contains("unknown key") })
    }

    @Test(.enabled(if: FileManager.default.isReadableFile(atPath: "/etc/pushpin/routes")))
    func installedSystemRoutesLoad() throws {
        let (table, diagnostics) = try RouteTable.load(path: "/etc/pushpin/routes")
        #expect(diagnostics.isEmpty)
        #expect(!table.routes.isEmpty)
    }
}
