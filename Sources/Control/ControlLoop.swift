import Glibc
import Hub
import IOUring
import Logging
import Wire

/// The control thread: serves the control port, turns signals into shard commands and
/// collects the shards' reports. Runs its own io_uring loop; shares only the mailboxes.
public final class ControlLoop {
    let configuration: ControlConfiguration
    let broadcaster: ShardBroadcaster
    let reloadRoutes: () -> ShardRouting?
    var logger: Logger

    var ring: Ring! = nil
    var buffers: BufferRing! = nil
    var listener: Int32 = -1
    var acceptArmed = false
    var connections: [ControlConnection?] = []
    var freeSlots: [UInt32] = []
    var nextGeneration: UInt32 = 1
    var nextConnectionCheck: Int64 = 0

    var signalFD: Int32 = -1
    let signalRecord = UnsafeMutableRawPointer.allocate(byteCount: SignalSource.recordSize, alignment: 8)

    /// Latest statistics per shard and the request for fresh ones in progress.
    var latestStats: [ShardStats]
    var statsQuery: StatsQuery? = nil
    var statsSequence: UInt64 = 0
    var interest = InterestMap()
    var controlStats = ControlStats()
    /// De-duplication and `prev-id` ordering of every published item, before it goes to shards.
    var sequencer: PublishSequencer
    /// The ZeroMQ inputs, when any is configured.
    var zeroMQ: ZeroMQSockets? = nil
    /// The routes file's directory under inotify, and when a change seen there is due to load.
    var routesWatch: RoutesFileWatch? = nil
    var routesReloadDueNanos: Int64? = nil
    /// The stats socket's state, when `stats_spec` is set.
    var statsTracker: StatsTracker? = nil
    /// The command socket's `conncheck`/`refresh` waiting for the shards; the socket is not read meanwhile.
    var connectionQuery: ConnectionQuery? = nil
    var connectionSequence: UInt64 = 0

    let startedAt = Clock.nowNanos()
    var now: Int64 = 0
    var shuttingDown = false
    var shutdownDeadline: Int64 = 0
    var stoppedShards: Set<Int> = []
    var finished = false

    public init(
        configuration: ControlConfiguration, links: [ShardLink.ControlEnd], logger: Logger,
        reloadRoutes: @escaping () -> ShardRouting?
    ) {
        self.configuration = configuration
        broadcaster = ShardBroadcaster(links: links)
        self.logger = logger
        self.reloadRoutes = reloadRoutes
        latestStats = Array(repeating: ShardStats(), count: links.count)
        sequencer = PublishSequencer(idCacheTTLNanos: configuration.idCacheTTLNanos, waitNanos: configuration.messageWaitNanos)
    }

    deinit { signalRecord.deallocate() }

    /// Binds the control port. Separate from `run` so start-up errors surface before threads start.
    public func bind() throws {
        guard let address = SocketAddress.resolve(host: configuration.host, port: configuration.port, passive: true).first else {
            throw ControlError.badAddress("\(configuration.host):\(configuration.port)")
        }
        listener = try ListeningSocket.open(on: address, reusePort: false, backlog: 128)
        if !configuration.zeroMQ.isEmpty { zeroMQ = try ZeroMQSockets(configuration.zeroMQ) }
        if zeroMQ?.stats != nil { statsTracker = StatsTracker(settings: statsSettings, now: Clock.nowNanos()) }
    }

    /// Runs until shutdown has completed: every shard reported it stopped (or the bound passed).
    /// `signals` must already be blocked in every thread.
    public func run(signals: [Int32]) throws {
        ring = try Ring(entries: 256)
        buffers = try BufferRing(ring: ring, groupID: 1, count: 64, size: 16384)
        for link in broadcaster.links { link.publishControlRingFD(ring.fd) }
        signalFD = SignalSource.makeDescriptor(signals)
        armSignalRead()
        armAccept()
        armZeroMQPolls()
        startRoutesWatch()
        while !finished { turn() }
        if listener >= 0 { close(listener) }
        zeroMQ?.close()
        if signalFD >= 0 { close(signalFD) }
    }

    private func turn() {
        var mayBlock = !broadcaster.hasBacklog && zeroMQ?.pending.isEmpty != false
        for link in broadcaster.links where !link.reports.prepareToSleep() { mayBlock = false }
        // A parked publish goes out on time even when nothing else wakes the loop.
        var waitNanos: Int64 = 100_000_000
        if let deadline = sequencer.nextDeadline { waitNanos = min(waitNanos, deadline - Clock.nowNanos()) }
        if let due = routesReloadDueNanos { waitNanos = min(waitNanos, due - Clock.nowNanos()) }
        if waitNanos <= 0 { mayBlock = false }
        do {
            if mayBlock {
                try ring.submitAndWait(timeoutNanos: waitNanos)
            } else {
                try ring.submitAndPoll()
            }
        } catch {
            logger.error("control ring wait failed: \(error)")
        }
        for link in broadcaster.links { link.reports.didWake() }
        now = Clock.nowNanos()
        while ring.reap(handle) > 0 {}
        buffers.commit()
        drainReports()
        releaseParkedPublishes()
        drainPendingZeroMQ()
        broadcaster.retry(ring: ring, now: now)
        checkStatsQuery()
        checkConnectionQuery()
        expireConnections()
        expireForwardedSubscriptions()
        reloadRoutesIfDue()
        tickStats()
        if shuttingDown && (stoppedShards.count == broadcaster.links.count || now >= shutdownDeadline) {
            if stoppedShards.count < broadcaster.links.count {
                logger.warning("shutdown: \(broadcaster.links.count - stoppedShards.count) shards did not stop in time")
            }
            finished = true
        }
    }

    private func handle(_ completion: Completion) {
        if completion.userData.rawValue == WakeTag.control { return }  // reports are drained every turn
        guard let op = ControlOperation(rawValue: completion.userData.op) else { return }
        switch op {
        case .accept: acceptCompleted(completion)
        case .recv: received(completion)
        case .send: sent(completion)
        case .signal: signalReceived(completion)
        case .housekeeping: break
        case .zeroMQ: zeroMQReady(completion)
        case .routesWatch: routesWatchRead(completion)
        }
    }

    func drainReports() {
        for link in broadcaster.links {
            var handled = 0
            while handled < 4096, let report = link.reports.pop() {
                handled += 1
                switch report {
                case let .stats(shard, sequence, stats):
                    latestStats[shard] = stats
                    statsQuery?.received(shard: shard, sequence: sequence)
                case let .stopped(shard):
                    stoppedShards.insert(shard)
                case let .statsEvents(_, events):
                    statsEventsArrived(events)
                case let .connectionsFound(shard, sequence, ids):
                    connectionQuery?.received(shard: shard, sequence: sequence, ids: ids)
                case let .subscribed(shard, channel):
                    if interest.subscribed(channel, shard: shard) { channelGained(channel) }
                    // Sessions on this shard compare their prev-id with the channel's position.
                    if let id = sequencer.lastIDs[channel] {
                        broadcaster.send(.lastID(channel: channel, id: id), to: shard, ring: ring)
                    }
                case let .unsubscribed(shard, channel):
                    if interest.unsubscribed(channel, shard: shard) {
                        sequencer.channelLost(channel)
                        channelLost(channel)
                    }
                }
            }
        }
    }

    // MARK: signals

    private func armSignalRead() {
        guard signalFD >= 0 else { return }
        ring.prepareRead(
            fd: signalFD, into: signalRecord, count: SignalSource.recordSize,
            userData: UserData(op: ControlOperation.signal.rawValue, generation: 0, slot: 0))
    }

    private func signalReceived(_ completion: Completion) {
        defer { armSignalRead() }
        guard completion.result >= 4 else { return }
        let signal = Int32(bitPattern: signalRecord.load(as: UInt32.self))
        switch signal {
        case SIGHUP:
            logger.info("SIGHUP: reloading routes")
            reloadRoutesNow()
        case SIGTERM, SIGINT:
            beginShutdown(reason: signal == SIGTERM ? "SIGTERM" : "SIGINT")
        default:
            break
        }
    }

    func beginShutdown(reason: String) {
        if shuttingDown {
            logger.info("\(reason) again: stopping now")
            shutdownDeadline = now
            return
        }
        logger.info("\(reason): shutting down (draining for up to \(configuration.drainNanos / 1_000_000_000) s)")
        shuttingDown = true
        shutdownDeadline = now + configuration.drainNanos + 3_000_000_000
        broadcaster.broadcast(.shutdown(drainNanos: configuration.drainNanos), ring: ring)
    }
}

public enum ControlError: Error, CustomStringConvertible {
    case badAddress(String)

    public var description: String {
        switch self {
        case .badAddress(let text): return "cannot resolve control address \(text)"
        }
    }
}
