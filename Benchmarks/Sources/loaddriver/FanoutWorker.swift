import Glibc
import Histogram
import IOUring
import LoadDriverCore

/// One thread's share of the run, with its own ring: either its subscribers (every
/// `threads`-th one) or, on worker `threads`, the publisher. Publishing has a thread of its
/// own so that reading deliveries cannot slow it down: sharing one thread made the
/// publish rate, and with it how much the server could batch, depend on the driver's load.
/// Single-threaded inside: nothing here is shared but `status`.
final class FanoutWorker {
    enum SubscriberPhase: UInt8 {
        case idle
        case connecting
        /// Connected, request going out, subscription not confirmed yet.
        case requesting
        case subscribed
        /// Closed after subscribing: a long-poll answered, or a stream the server ended.
        case closed
        /// Closed before subscribing.
        case failed
    }

    let index: Int
    let plan: FanoutPlan
    let control: FanoutControl
    let status: WorkerStatus
    let ring: Ring
    let buffers: BufferRing
    static let bufferGroup: UInt16 = 1

    // Subscribers, by local index.
    let globalIndex: [Int]
    var fds: [Int32]
    var phases: [SubscriberPhase]
    var readers: [SubscriberReader]
    var sentBytes: [Int32]
    /// Pongs being sent, by local index (rare: only when a server pings).
    var pongs: [Int: UnsafeMutableRawBufferPointer] = [:]
    let requestMemory: [UnsafeMutableRawBufferPointer]
    let targetAddress: UnsafeMutablePointer<sockaddr_storage>
    let controlAddress: UnsafeMutablePointer<sockaddr_storage>
    let sources: [in_addr]

    // Tallies.
    var ledger: DeliveryLedger
    var latency = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    var errors: [String: Int] = [:]
    var unexpectedMessages = 0
    var nextToConnect = 0
    var inFlight = 0
    var subscribedCount = 0
    var failedCount = 0
    var closedEarly = 0
    var connectStartNanos: UInt64 = 0
    var lastSubscribedNanos: UInt64 = 0
    var lastDeliveryNanos: UInt64 = 0
    /// The receive time used for every message of the completion being handled.
    var receiveNanos: UInt64 = 0

    var publisher: PublishPump?

    init(index: Int, plan: FanoutPlan, control: FanoutControl, status: WorkerStatus) throws(IOUringError) {
        self.index = index
        self.plan = plan
        self.control = control
        self.status = status
        let publishes = index == plan.threads
        ring = try Ring(entries: 4096)
        buffers = try BufferRing(ring: ring, groupID: Self.bufferGroup, count: publishes ? 256 : 8192, size: 4096)
        globalIndex = publishes ? [] : Array(plan.subscriberIndices(worker: index))
        let count = globalIndex.count
        fds = Array(repeating: -1, count: count)
        phases = Array(repeating: .idle, count: count)
        readers = Array(repeating: SubscriberReader(kind: plan.kind), count: count)
        sentBytes = Array(repeating: 0, count: count)
        ledger = DeliveryLedger(subscribers: count, messages: plan.messages)
        requestMemory = plan.subscribeRequests.map { bytes in
            let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 16)
            bytes.withUnsafeBytes { memory.copyMemory(from: $0) }
            return memory
        }
        targetAddress = .allocate(capacity: 1)
        targetAddress.initialize(to: plan.target.storage)
        controlAddress = .allocate(capacity: 1)
        controlAddress.initialize(to: plan.controlTarget.storage)
        sources = ClientSocket.loopbackSources(count: plan.sources)
        if publishes { publisher = PublishPump(plan: plan, ring: ring, address: controlAddress, length: plan.controlTarget.length) }
    }

    deinit {
        for memory in requestMemory { memory.deallocate() }
        for memory in pongs.values { memory.deallocate() }
        targetAddress.deallocate()
        controlAddress.deallocate()
    }

    /// Runs until the coordinator says stop, then posts the tallies.
    func run() {
        connectStartNanos = MonotonicClock.now()
        status.firstConnectNanos.store(connectStartNanos, ordering: .relaxed)
        var phase = control.current
        while phase != .stop {
            let now = MonotonicClock.now()
            var waitNanos: Int64 = 10_000_000
            if phase == .connect, let next = openSubscribers(now: now) { waitNanos = min(waitNanos, next) }
            if phase == .publish, let publisher, let next = publisher.pump(now: now) { waitNanos = min(waitNanos, next) }
            do {
                try ring.submitAndWait(timeoutNanos: max(waitNanos, 50_000))
            } catch {
                note("ring: \(error)")
            }
            while ring.reap({ handle($0) }) > 0 {}
            buffers.commit()
            publishStatus()
            phase = control.current
        }
        finish()
    }

    private func handle(_ completion: Completion) {
        receiveNanos = MonotonicClock.now()
        let data = completion.userData
        guard let operation = DriverOperation(rawValue: data.op) else { return }
        let slot = Int(data.slot)
        switch operation {
        case .subscriberConnect: subscriberConnected(slot, result: completion.result)
        case .subscriberSend: subscriberSent(slot, result: completion.result)
        case .subscriberReceive: subscriberReceived(slot, completion)
        case .subscriberPong: pongSent(slot)
        case .publisherConnect, .publisherSend, .publisherReceive:
            publisher?.handle(operation, completion)
        }
    }

    func note(_ reason: String) { errors[reason, default: 0] += 1 }

    /// Copies the local tallies into the shared status (plain stores, once per loop turn).
    private func publishStatus() {
        status.opened.store(nextToConnect, ordering: .relaxed)
        status.subscribed.store(subscribedCount, ordering: .relaxed)
        status.failed.store(failedCount, ordering: .relaxed)
        status.closedEarly.store(closedEarly, ordering: .relaxed)
        status.delivered.store(ledger.firstDeliveries, ordering: .relaxed)
        status.lastSubscribedNanos.store(lastSubscribedNanos, ordering: .relaxed)
        status.lastDeliveryNanos.store(lastDeliveryNanos, ordering: .relaxed)
        publisher?.publishStatus(to: status)
    }

    private func finish() {
        let isHeld = { (local: Int) in self.phases[local] == .subscribed || self.phases[local] == .closed }
        for (reason, count) in publisher?.reasons ?? [:] { errors[reason, default: 0] += count }
        let result = WorkerResult(
            held: (0..<phases.count).count(where: isHeld), delivered: ledger.firstDeliveries,
            lost: ledger.lost(expectedEach: plan.expectedPerSubscriber, counted: isHeld),
            duplicated: ledger.duplicates, foreign: ledger.foreign, latency: latency, errors: errors,
            unexpectedMessages: unexpectedMessages)
        status.result.withLock { $0 = result }
    }
}
