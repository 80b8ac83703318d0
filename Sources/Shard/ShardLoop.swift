import Glibc
import Hub
import IOUring
import Logging
import Wire

/// One shard: a thread with its own io_uring, its own listeners, the client connections the
/// kernel hands those listeners, a keep-alive pool of backend connections and its counters.
///
/// Everything here is touched by the shard's thread only. The only way in from outside is the
/// command mailbox of `link`; the only way out is its report mailbox.
public final class ShardLoop {
    let index: Int
    let configuration: ShardConfiguration
    let link: ShardLink.ShardEnd
    var logger: Logger

    var ring: Ring! = nil
    var buffers: BufferRing! = nil
    let bufferGroup: UInt16 = 1
    let chunkPool: ChunkPool
    var sendVectors: [SendVector] = []
    var routing: ShardRouting
    let forwarding: RequestForwarding
    let gripSigner = GripSigner()
    /// Certificates, https listener contexts and scratch buffers (`TLS/ShardLoop+TLS.swift`).
    let tls = ShardTLS()

    var listeners: [Int32] = []
    var acceptArmed: [Bool] = []

    var clients = ConnectionTable<ClientConnection>()
    var backends = ConnectionTable<BackendConnection>()
    /// `routing`'s routes as requests use them, indexed like `routing.table.routes`.
    var resolvedRoutes: [ResolvedRoute] = []
    /// Idle backend connections by target.
    var backendPool: BackendPool
    /// TLS to backends: a context per client identity (`""`: none), made when routes with
    /// `ssl` targets are installed; what records are decrypted into and sealed records are
    /// taken through (kept, so a read allocates nothing once they have grown).
    var backendTLSContexts: [String: TLSContext] = [:]
    /// The last TLS session per backend pool key, offered by the next connection.
    var backendTLSSessions: [String: TLSSession] = [:]
    var tlsPlaintext: [UInt8] = []

    var subscriptionTable = SubscriptionTable()
    var heldStreamCount = 0
    var heldResponseCount = 0
    var webSocketOpenCount = 0
    var timers: TimerWheel
    var reclaimSchedule = ReclaimSchedule()
    var stats = ShardStats()
    var now: Int64 = 0
    /// Jitter for WebSocket-over-HTTP retry backoff.
    var random = SystemRandomNumberGenerator()
    /// A response head is written here, then copied into its client's send queue: one buffer
    /// reused, not one array per response.
    var headScratch: [UInt8] = []
    /// Reports that did not fit into the report ring yet; retried every turn, in order.
    var pendingReports: [ShardReport] = []
    /// This turn's events for the stats socket; nil when none is configured.
    var statsEvents: [StatsEvent]? = nil
    var statsRequests = 0
    /// Requests on routes with an explicit id, by id (stats.md: `activity` per route).
    var statsRouteRequests: [String: Int] = [:]
    /// Client connections whose pipelined input is parsed once the current completion is done.
    var resumeQueue: [ConnectionHandle] = []
    /// Subscribers that got published messages this turn; flushed once after all commands.
    var deliveryFlushes: [ConnectionHandle] = []
    /// Clients whose queued bytes are sent at the end of the turn (`queueClientFlush`).
    var clientFlushes: [ClientConnection] = []
    /// Low-priority catch-ups of reliable sessions, paced (`ShardLoop+NextLink.swift`).
    var sessionUpdates: SessionUpdates

    var draining = false
    var drainDeadline: Int64 = 0
    var forcedClose = false
    var stopped = false

    public init(index: Int, configuration: ShardConfiguration, link: ShardLink.ShardEnd, routing: ShardRouting, logger: Logger) {
        self.index = index
        self.configuration = configuration
        self.link = link
        self.routing = routing
        self.logger = logger
        self.logger[metadataKey: "shard"] = "\(index)"
        backendPool = BackendPool(perTargetMax: configuration.backendPoolMax)
        chunkPool = ChunkPool(chunkSize: configuration.sendChunkSize, spareMax: configuration.spareChunksMax)
        forwarding = RequestForwarding(
            xForwardedFor: configuration.xForwardedFor, setXForwardedProtocol: configuration.setXForwardedProtocol)
        now = Clock.nowNanos()
        timers = TimerWheel(tickNanos: configuration.timerTickNanos, nowNanos: now)
        sessionUpdates = SessionUpdates(
            limiter: UpdateLimiter(actionsPerSecond: configuration.recoveryUpdateRate, sessionsPerAction: configuration.recoveryUpdateBatch))
        if configuration.statsEvents { statsEvents = [] }
        resolveRoutes()
    }

    /// Sets up the ring and listeners and runs until shut down. Call on the shard's own thread.
    public func run() throws {
        ring = try Ring(entries: configuration.ringEntries)
        buffers = try BufferRing(
            ring: ring, groupID: bufferGroup, count: configuration.receiveBufferCount, size: configuration.receiveBufferSize)
        listeners = configuration.listenerFDs
        acceptArmed = Array(repeating: false, count: listeners.count)
        setUpTLS()
        for listener in listeners.indices { armAccept(listener) }
        link.publishShardRingFD(ring.fd)
        logger.debug("shard started", metadata: ["listeners": "\(listeners.count)"])

        while !stopped {
            turn()
        }
        for fd in listeners where fd >= 0 { close(fd) }
        listeners.removeAll()
        enqueueReport(.stopped(shard: index))
        flushReports()
        _ = try? ring.submit()
        logger.debug("shard stopped")
    }

    /// One loop turn: submit and wait, handle completions, drain the mailbox, fire timers.
    private func turn() {
        let mayBlock = link.commands.prepareToSleep() && pendingReports.isEmpty
        let waitNanos: Int64 = mayBlock ? (timers.count > 0 || draining ? timers.tickNanos : configuration.idleWaitNanos) : 0
        do {
            if waitNanos > 0 {
                try ring.submitAndWait(timeoutNanos: waitNanos)
            } else {
                try ring.submitAndPoll()
            }
        } catch {
            logger.error("ring wait failed: \(error)")
        }
        link.commands.didWake()
        now = Clock.nowNanos()
        while ring.reap(handle) > 0 {
            buffers.commit()  // every batch: a few hundred buffers then cover any turn
            runResumeQueue()
        }
        drainCommands()
        flushDeliveries()
        fireTimers()
        flushReports()
        if !clientFlushes.isEmpty { flushQueuedClients() }
        if draining { checkDrained() } else { reclaimMemoryIfDue() }
    }

    private func handle(_ completion: Completion) {
        if completion.userData.rawValue == WakeTag.shard {
            stats.ringWakeups += 1
            return
        }
        guard let op = Operation(rawValue: completion.userData.op) else { return }
        switch op {
        case .accept: acceptCompleted(completion)
        case .clientRecv: clientReceived(completion)
        case .clientSend: clientSent(completion)
        case .backendConnect: backendConnected(completion)
        case .backendRecv: backendReceived(completion)
        case .backendSend: backendSent(completion)
        case .housekeeping:
            if completion.result < 0 && completion.result != -ENOENT && completion.result != -EALREADY {
                logger.trace("housekeeping op failed: \(completion.result)")
            }
        }
    }
}
