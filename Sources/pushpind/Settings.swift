import Foundation
import IOUring
import Logging
import Wire

/// The effective configuration: pushpin.conf (or Pushpin's defaults) with CLI overrides.
struct Settings {
    var proxy: ProxyConfig
    var shardCount: Int
    var listen: [ListenAddress]
    /// TLS listeners (`https_ports`); `--port` leaves none, as in Pushpin.
    var httpsListen: [ListenAddress]
    /// Empty: the built-in `* test` table.
    var routesPath: String
    var logLevel: Int
    var notices: [String]

    static func load(_ options: Pushpind) throws(ConfigError) -> Settings {
        var proxy = ProxyConfig.defaults
        var notices: [String] = []
        if let path = options.config {
            (proxy, notices) = try ProxyConfig.load(path: path)
        }
        var listen = proxy.httpPorts
        var httpsListen = proxy.httpsPorts
        if let port = options.port {
            httpsListen = []
            guard let address = ListenAddress.parse(port) else {
                throw ConfigError(key: "--port", value: port, reason: "expected [addr:]port")
            }
            listen = [address]
        }
        if let controlPort = options.controlPort { proxy.controlAddress.port = controlPort }
        var routesPath = proxy.routesFile
        if let routes = options.routes { routesPath = routes }
        return Settings(
            proxy: proxy,
            shardCount: options.shards ?? ThreadPlacement.availableCPUs,
            listen: listen,
            httpsListen: httpsListen,
            routesPath: routesPath,
            logLevel: options.logLevel ?? proxy.logLevel,
            notices: notices)
    }

    var routesDirectory: String {
        guard let slash = routesPath.lastIndex(of: "/") else { return "." }
        return String(routesPath[..<slash])
    }

    /// Pushpin's numeric levels mapped onto swift-log's.
    var loggerLevel: Logger.Level {
        switch logLevel {
        case ...0: return .error
        case 1: return .warning
        case 2: return .info
        case 3: return .debug
        default: return .trace
        }
    }

    /// Loads and resolves the routes (blocking DNS: start-up and reloads only). On a reload,
    /// a file none of whose lines loads is refused (pushpind-only: Pushpin would serve no
    /// routes at all), since that is most often a file caught half-written.
    func loadRoutes(logger: Logger, reloading: Bool = false) throws(ConfigError) -> RouteTable {
        guard !routesPath.isEmpty else { return RouteTable.testOnly }
        let (table, diagnostics) = try RouteTable.load(path: routesPath)
        for diagnostic in diagnostics { logger.warning("\(diagnostic)") }
        if reloading && table.routes.isEmpty && diagnostics.contains(where: \.lineSkipped) {
            throw ConfigError(file: routesPath, reason: "no line of the file loads")
        }
        logger.info("routes loaded with \(table.routes.count) entries from \(routesPath)")
        return table
    }
}
