import Control
import Foundation
import Glibc
import Hub
import IOUring
import Logging
import Shard
import Wire

/// Starts the shard threads and runs the control loop on the main thread until shutdown.
struct Server {
    let settings: Settings

    func run() throws {
        let level = settings.loggerLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "pushpind")
        // Pushpin's multi-process settings are expected in a stock file: one line says which
        // were ignored (each is listed at debug level); unknown keys may be typos, so each warns.
        var ignored = 0
        for notice in settings.notices {
            if notice.contains("unknown key") {
                logger.warning("\(notice)")
            } else {
                ignored += 1
                logger.debug("\(notice)")
            }
        }
        if ignored > 0 {
            logger.info("ignoring \(ignored) settings that belong to Pushpin's own processes (zurl, condure, ZeroMQ specs, …); --log-level 3 lists them")
        }

        // Signals are read by the control loop (signalfd): block them before any thread starts.
        let signals = [SIGHUP, SIGTERM, SIGINT]
        SignalSource.block(signals)
        signal(SIGPIPE, SIG_IGN)

        let table: RouteTable
        do {
            table = try settings.loadRoutes(logger: logger)
        } catch {
            throw StartupError("routes: \(error)")
        }
        let routing = ShardRouting.resolving(table, directory: settings.routesDirectory)
        let listenerFDs = try openListeners(logger: logger)
        // One set of session ticket keys for every shard's TLS contexts.
        let ticketKeys = settings.httpsListen.isEmpty ? nil : try TicketKeys()

        let links = (0..<settings.shardCount).map { ShardLink.make(index: $0) }
        var controlConfiguration = ControlConfiguration(
            host: settings.proxy.controlAddress.host, port: settings.proxy.controlAddress.port,
            maxHeadersSize: settings.proxy.controlMaxHeadersSize, maxBodySize: settings.proxy.controlMaxBodySize,
            version: Pushpind.version, drainNanos: 10_000_000_000)
        controlConfiguration.publishKey = settings.proxy.pushInHTTPKeyBytes
        controlConfiguration.zeroMQ.pushInSpec = settings.proxy.pushInSpec
        controlConfiguration.zeroMQ.pushInSubSpecs = settings.proxy.pushInSubSpecs
        controlConfiguration.zeroMQ.subConnect = settings.proxy.pushInSubConnect
        controlConfiguration.zeroMQ.commandSpec = settings.proxy.commandSpec
        controlConfiguration.zeroMQ.subscriptionLingerNanos = Int64(settings.proxy.subscriptionLinger) * 1_000_000_000
        controlConfiguration.zeroMQ.maxMessageBytes = settings.proxy.controlMaxBodySize
        controlConfiguration.zeroMQ.statsSpec = settings.proxy.statsSpec
        controlConfiguration.zeroMQ.statsFormat = settings.proxy.statsFormat
        controlConfiguration.zeroMQ.statsConnectionTTL = settings.proxy.statsConnectionTTL
        controlConfiguration.zeroMQ.statsSubscriptionTTL = settings.proxy.statsSubscriptionTTL
        controlConfiguration.zeroMQ.statsReportIntervalNanos = Int64(settings.proxy.statsReportInterval) * 1_000_000_000
        controlConfiguration.messageWaitNanos = Int64(settings.proxy.messageWait) * 1_000_000
        controlConfiguration.idCacheTTLNanos = Int64(settings.proxy.idCacheTTL) * 1_000_000_000
        controlConfiguration.idleTimeoutNanos = Int64(settings.proxy.controlIdleTimeoutSeconds) * 1_000_000_000
        if !settings.routesPath.isEmpty { controlConfiguration.routesFile = settings.routesPath }
        let control = ControlLoop(
            configuration: controlConfiguration,
            links: links.map(\.control), logger: logger,
            reloadRoutes: { reload(logger: logger) })
        do {
            try control.bind()
        } catch {
            throw StartupError("control port \(settings.proxy.controlAddress.host):\(settings.proxy.controlAddress.port): \(error)")
        }

        let perShardMax = (settings.proxy.clientMaxConnections + settings.shardCount - 1) / settings.shardCount
        let threads = links.indices.map { index in
            startShard(
                index: index, link: links[index].shard, listenerFDs: listenerFDs[index], routing: routing,
                maxConnections: perShardMax, ticketKeys: ticketKeys, logger: logger)
        }
        let ports = (settings.listen.map { "\($0.host):\($0.port)" } + settings.httpsListen.map { "\($0.host):\($0.port) (TLS)" })
            .joined(separator: ", ")
        logger.info(
            "pushpind \(Pushpind.version) listening on \(ports) with \(settings.shardCount) shards; control API on \(settings.proxy.controlAddress.host):\(settings.proxy.controlAddress.port)")

        ThreadPlacement.nameCurrentThread("control")
        try control.run(signals: signals)
        for thread in threads { thread.join(timeoutSeconds: 5) }
        logger.info("pushpind stopped")
    }

    /// One SO_REUSEPORT socket per shard per client port. A plain bind first checks that no
    /// other process holds the port (with SO_REUSEPORT another process could silently share it).
    private func openListeners(logger: Logger) throws -> [[Int32]] {
        var perShard: [[Int32]] = Array(repeating: [], count: settings.shardCount)
        for listen in settings.listen + settings.httpsListen {
            guard let address = SocketAddress.resolve(host: listen.host, port: listen.port, passive: true).first else {
                throw StartupError("cannot resolve listen address \(listen.host):\(listen.port)")
            }
            do {
                let probe = try ListeningSocket.open(on: address, reusePort: false, backlog: 1)
                close(probe)
                for shard in 0..<settings.shardCount {
                    perShard[shard].append(try ListeningSocket.open(on: address, reusePort: true))
                }
            } catch {
                throw StartupError("client port \(address): \(error)")
            }
        }
        return perShard
    }

    private func startShard(
        index: Int, link: ShardLink.ShardEnd, listenerFDs: [Int32], routing: ShardRouting, maxConnections: Int,
        ticketKeys: TicketKeys?, logger: Logger
    ) -> ShardThread {
        var configuration = ShardConfiguration(
            listenerFDs: listenerFDs,
            clientBufferSize: settings.proxy.clientBufferSize,
            maxConnections: maxConnections,
            xForwardedFor: settings.proxy.xForwardedFor,
            setXForwardedProtocol: settings.proxy.setXForwardedProtocol,
            backendTimeoutNanos: Self.nanos(seconds: settings.proxy.backendTimeoutSeconds))
        configuration.pinThreads = settings.shardCount <= ThreadPlacement.availableCPUs
        // Listeners are opened plain ones first, then the https ones (`openListeners`).
        configuration.listenerTLSPorts = settings.listen.map { _ in nil } + settings.httpsListen.map { Int($0.port) }
        configuration.certificatesDirectory = settings.proxy.certificatesDirectory
        configuration.ticketKeys = ticketKeys
        configuration.sigISS = settings.proxy.sigISS
        configuration.sigKey = settings.proxy.sigKeyBytes
        configuration.autoCrossOrigin = settings.proxy.autoCrossOrigin
        configuration.subscriptionsPerConnectionMax = settings.proxy.connectionSubscriptionMax
        configuration.updateOnFirstSubscription = settings.proxy.updateOnFirstSubscription
        configuration.recoveryUpdateRate = settings.proxy.recoveryUpdateRate
        configuration.allowCompression = settings.proxy.allowCompression
        configuration.webSocketPingNanos = Self.nanos(seconds: settings.proxy.webSocketPingSeconds)
        configuration.webSocketMessageMax = settings.proxy.webSocketMessageMaxBytes
        configuration.clientHeaderTimeoutNanos = Self.nanos(seconds: settings.proxy.clientHeaderTimeoutSeconds)
        configuration.clientHandshakeTimeoutNanos = Self.nanos(seconds: settings.proxy.clientHandshakeTimeoutSeconds)
        configuration.clientIdleTimeoutNanos = Self.nanos(seconds: settings.proxy.clientIdleTimeoutSeconds)
        configuration.clientBodyTimeoutNanos = Self.nanos(seconds: settings.proxy.clientBodyTimeoutSeconds)
        configuration.backendPoolMax = settings.proxy.backendPoolMax
        configuration.statsEvents = settings.proxy.statsSpec != nil
        let cpus = ThreadPlacement.availableCPUs
        let pin = configuration.pinThreads
        let shardConfiguration = configuration
        return ShardThread(name: "shard-\(index)") {
            if pin { ThreadPlacement.pinCurrentThread(to: index % cpus) }
            ShardArena.reserve()  // before the shard's first allocation picks and grows its arena
            // Built on its own thread: everything a shard owns is created and used there.
            let loop = ShardLoop(index: index, configuration: shardConfiguration, link: link, routing: routing, logger: logger)
            do {
                try loop.run()
            } catch {
                logger.critical("shard \(index) failed: \(error)")
                exit(1)
            }
        }
    }

    /// A configured number of seconds in nanoseconds; a century at most, so a huge value
    /// means "practically never" instead of an overflow trap.
    private static func nanos(seconds: Int) -> Int64 {
        Int64(min(seconds, 100 * 365 * 86_400)) * 1_000_000_000
    }

    private func reload(logger: Logger) -> ShardRouting? {
        do {
            return ShardRouting.resolving(try settings.loadRoutes(logger: logger, reloading: true), directory: settings.routesDirectory)
        } catch {
            logger.error("routes reload failed, keeping the current routes: \(error)")
            return nil
        }
    }
}

struct StartupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
