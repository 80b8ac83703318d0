/// Paces low-priority catch-ups of held sessions (idle refresh, long-poll conflicts,
/// `recover`, first subscription), as Pushpin does: at most `actionsPerSecond` actions, each
/// taking up to `sessionsPerAction` sessions, so a recovery of thousands of sessions reaches
/// the backend as a steady trickle, not a burst. A session queued twice is updated once.
///
/// Pure: the shard adds sessions, asks when the next action is due, and takes its batch.
struct UpdateLimiter {
    let intervalNanos: Int64
    let sessionsPerAction: Int
    private(set) var queue: [ConnectionHandle] = []
    private var queued: Set<ConnectionHandle> = []
    private var head = 0
    /// No action before this time (the last one's time plus the interval).
    private(set) var nextActionNanos: Int64 = .min

    init(actionsPerSecond: Int, sessionsPerAction: Int = 100) {
        intervalNanos = 1_000_000_000 / Int64(max(actionsPerSecond, 1))
        self.sessionsPerAction = sessionsPerAction
    }

    var isEmpty: Bool { head == queue.count }
    var count: Int { queue.count - head }

    /// Queues a session for the next actions; false when it already waits.
    @discardableResult
    mutating func add(_ handle: ConnectionHandle) -> Bool {
        guard queued.insert(handle).inserted else { return false }
        queue.append(handle)
        return true
    }

    /// When the next action may run, nil when nothing waits.
    func dueNanos(nowNanos: Int64) -> Int64? {
        isEmpty ? nil : max(nowNanos, nextActionNanos)
    }

    /// The sessions of one action when one is due now; empty otherwise.
    mutating func take(nowNanos: Int64) -> [ConnectionHandle] {
        guard !isEmpty, nowNanos >= nextActionNanos else { return [] }
        let end = min(head + sessionsPerAction, queue.count)
        let batch = Array(queue[head..<end])
        head = end
        for handle in batch { queued.remove(handle) }
        if isEmpty {
            queue.removeAll(keepingCapacity: queue.capacity <= 4096)
            head = 0
        }
        nextActionNanos = nowNanos + intervalNanos
        return batch
    }
}

/// The shard's pending low-priority session updates and first-subscription catch-ups, and
/// the one timer that runs them.
struct SessionUpdates {
    var limiter: UpdateLimiter
    /// Channels whose first subscriber arrived here, and when their sessions catch up.
    var firstSubscriptions: [(dueNanos: Int64, channel: String)] = []
    var timerDueNanos: Int64? = nil
    var timerToken: UInt32 = 0
}
