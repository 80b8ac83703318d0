import Histogram
import Synchronization

/// The phases the coordinator moves every worker through.
enum FanoutPhase: Int, Sendable {
    case connect = 0
    /// All subscribed (or the connect phase timed out): hold, no new connections.
    case hold = 1
    case publish = 2
    case stop = 3
}

/// A worker's figures for the coordinator, stored once per loop turn (never per message),
/// so progress lines and phase decisions cost the workers nothing measurable.
final class WorkerStatus: Sendable {
    let opened = Atomic<Int>(0)
    let subscribed = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
    let closedEarly = Atomic<Int>(0)
    let delivered = Atomic<Int>(0)
    let firstConnectNanos = Atomic<UInt64>(0)
    let lastSubscribedNanos = Atomic<UInt64>(0)
    let lastDeliveryNanos = Atomic<UInt64>(0)
    // Publisher figures (worker 0 only).
    let publishedItems = Atomic<Int>(0)
    let failedItems = Atomic<Int>(0)
    let publishRequests = Atomic<Int>(0)
    let publishErrors = Atomic<Int>(0)
    let firstPublishNanos = Atomic<UInt64>(0)
    let lastPublishAnswerNanos = Atomic<UInt64>(0)
    /// Every item was published (or failed) and every answer arrived.
    let publishDone = Atomic<Bool>(false)
    let result = Mutex<WorkerResult?>(nil)
    /// Set when the worker could not start (ring set-up failed).
    let startError = Mutex<String?>(nil)
}

/// What a worker hands back when it stops: exact tallies to merge.
struct WorkerResult: Sendable {
    /// Subscribers that subscribed (still held, or closed after subscribing).
    var held: Int
    var delivered: Int
    /// Expected deliveries to `held` subscribers that never arrived.
    var lost: Int
    var duplicated: Int
    var foreign: Int
    /// Receive time minus publish stamp, microseconds.
    var latency: Histogram<UInt64>
    var errors: [String: Int]
    var unexpectedMessages: Int
}

/// The phase every worker reads at the top of its loop.
final class FanoutControl: Sendable {
    let phase = Atomic<Int>(FanoutPhase.connect.rawValue)

    var current: FanoutPhase { FanoutPhase(rawValue: phase.load(ordering: .acquiring)) ?? .stop }

    func move(to next: FanoutPhase) { phase.store(next.rawValue, ordering: .releasing) }
}
