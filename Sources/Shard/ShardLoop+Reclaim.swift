import CMalloc
import Glibc
import Hub

/// Giving memory back after a connection peak: tables, pools and lists keep what they grew
/// to, and malloc keeps freed pages, until the shard goes quiet (see `ReclaimSchedule`).
extension ShardLoop {
    /// End of a loop turn: one comparison unless a check is due.
    func reclaimMemoryIfDue() {
        guard reclaimSchedule.isDue(now: now) else { return }
        // Slot numbers queued for the next turn must stay valid until they are handled.
        guard resumeQueue.isEmpty, deliveryFlushes.isEmpty else { return }
        guard
            reclaimSchedule.check(
                now: now, slots: clients.heldCount, open: stats.connectionsAccepted - stats.connectionsClosed,
                accepted: stats.connectionsAccepted, closed: stats.connectionsClosed)
        else { return }
        releaseSpareMemory()
    }

    /// Gives back the objects of free slots, cancelled timers and the spare capacity of pools
    /// and lists, then asks malloc to return its free pages to the system.
    func releaseSpareMemory() {
        let slotsBefore = clients.heldCount
        let started = Clock.nowNanos()
        clients.shrink()
        backends.shrink()
        for client in clients { client.releaseSpareMemory() }
        for backend in backends { backend.releaseSpareMemory() }
        timers.discard(where: isCancelled)
        subscriptionTable.releaseSpareCapacity()
        backendPool.releaseSpareCapacity()
        chunkPool.releaseSpare()
        sendVectors = []
        resumeQueue = []
        deliveryFlushes = []
        if pendingReports.isEmpty { pendingReports = [] }
        buffers.releasePages()  // every buffer is back in the ring at the end of a turn
        malloc_trim(0)
        stats.memoryReclaims += 1
        logger.debug(
            "memory given back",
            metadata: ["slots": "\(slotsBefore) -> \(clients.heldCount)", "micros": "\((Clock.nowNanos() - started) / 1000)"])
    }

    /// A timer whose connection is gone: its slot was dropped, is vacant or serves a later
    /// connection. (A live connection's superseded timers are left to fire and be ignored.)
    private func isCancelled(_ entry: TimerWheel.Entry) -> Bool {
        guard let kind = TimerKind(rawValue: entry.kind) else { return true }
        switch kind {
        case .acceptRetry, .sessionUpdates:
            return false
        case .backendIdle:
            return backends.occupant(entry.handle) == nil
        case .backendDeadline, .lingerDeadline, .holdTimer, .webSocketRetry, .webSocketKeepAlive, .clientTimeLimit, .recovery:
            return clients.occupant(entry.handle) == nil
        }
    }
}
