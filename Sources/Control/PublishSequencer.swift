import Wire

/// The publish side of reliable delivery (grip.md §8), as a state machine: the control
/// thread offers every published item in order with the time, and delivers what comes
/// back, in that order. No I/O, no clock of its own.
///
/// - An item whose (channel, id) was offered within the id cache's lifetime is dropped.
/// - On a sequenced channel (one with subscribers; `no-seq` items bypass), an item whose
///   `prev-id` is not the channel's last id is parked until its predecessor goes out
///   (then it and the chain behind it follow) or `waitNanos` pass (then it goes anyway).
///   A channel with no last id yet holds nothing. Going out sets the channel's last id to
///   the item's id; an item without an id clears it.
struct PublishSequencer {
    /// An item to deliver now, and when it was offered (publish → delivery latency).
    struct Release {
        var item: PublishItem
        var offeredAt: Int64
    }

    struct Counters: Equatable {
        var parked = 0
        var releasedInOrder = 0
        var releasedByTimeout = 0
        var duplicatesDropped = 0
        /// Parked items dropped: the channel already had `parkedPerChannelMax`.
        var droppedOverflow = 0
        /// Items dropped because one with the same `prev-id` was already parked.
        var droppedSamePrevID = 0
        /// Parked items dropped because their channel's last subscriber left.
        var droppedUnsubscribed = 0
    }

    private struct Parked {
        var item: PublishItem
        var offeredAt: Int64
        var serial: UInt64
    }

    private struct Deadline {
        var at: Int64
        var channel: String
        var prevID: String
        /// Which parking this is; a deadline whose item already went out is skipped.
        var serial: UInt64
    }

    let waitNanos: Int64
    let parkedPerChannelMax: Int
    private(set) var lastIDs: LastIDTable
    private var ids: PublishIDCache
    /// Per channel, parked items by the `prev-id` they wait for.
    private var parked: [String: [String: Parked]] = [:]
    /// Every wait is equally long, so deadlines come in parking order.
    private var deadlines = FIFOQueue<Deadline>()
    private var nextSerial: UInt64 = 0
    private(set) var parkedCount = 0
    private(set) var counters = Counters()

    init(
        idCacheTTLNanos: Int64, waitNanos: Int64, parkedPerChannelMax: Int = 100,
        lastIDsMax: Int = 1_000_000, idCacheMax: Int = 1_000_000
    ) {
        self.waitNanos = waitNanos
        self.parkedPerChannelMax = parkedPerChannelMax
        lastIDs = LastIDTable(capacity: lastIDsMax)
        ids = PublishIDCache(ttlNanos: idCacheTTLNanos, capacity: idCacheMax)
    }

    /// The earliest moment `expire` has something to do (possibly a wait already ended early).
    var nextDeadline: Int64? { deadlines.first?.at }

    /// `subscribed`: the channel has subscribers somewhere (only those are sequenced).
    mutating func offer(_ item: PublishItem, subscribed: Bool, now: Int64) -> [Release] {
        if let id = item.id, !ids.insert(channel: item.channel, id: id, now: now) {
            counters.duplicatesDropped += 1
            return []
        }
        guard subscribed && !item.noSeq else { return [Release(item: item, offeredAt: now)] }
        if let last = lastIDs[item.channel], let prevID = item.prevID, prevID != last {
            park(item, waitingFor: prevID, now: now)
            return []
        }
        var released: [Release] = []
        send(Release(item: item, offeredAt: now), into: &released)
        return released
    }

    /// Releases every item whose wait has ended, oldest first, each with the chain behind it.
    mutating func expire(now: Int64) -> [Release] {
        var released: [Release] = []
        while let deadline = deadlines.first, deadline.at <= now {
            _ = deadlines.popFirst()
            guard let waiting = parked[deadline.channel]?[deadline.prevID], waiting.serial == deadline.serial else { continue }
            unpark(channel: deadline.channel, prevID: deadline.prevID)
            counters.releasedByTimeout += 1
            send(Release(item: waiting.item, offeredAt: waiting.offeredAt), into: &released)
        }
        return released
    }

    /// The channel's last subscriber left: its last id and parked items are forgotten (they
    /// would reach no one, and the next subscriber starts from the backend's state).
    mutating func channelLost(_ channel: String) {
        lastIDs.remove(channel)
        guard let items = parked.removeValue(forKey: channel) else { return }
        parkedCount -= items.count
        counters.droppedUnsubscribed += items.count
        parked.shrinkIfSparse()
    }

    /// `recover`: every channel's last id is forgotten, so nothing offered next is held;
    /// items already parked keep waiting.
    mutating func forgetLastIDs() { lastIDs.removeAll() }

    private mutating func park(_ item: PublishItem, waitingFor prevID: String, now: Int64) {
        let count = parked[item.channel]?.count ?? 0
        if parked[item.channel]?[prevID] != nil {
            counters.droppedSamePrevID += 1
            return
        }
        guard count < parkedPerChannelMax else {
            counters.droppedOverflow += 1
            return
        }
        nextSerial += 1
        parked[item.channel, default: [:]][prevID] = Parked(item: item, offeredAt: now, serial: nextSerial)
        deadlines.append(Deadline(at: now + waitNanos, channel: item.channel, prevID: prevID, serial: nextSerial))
        parkedCount += 1
        counters.parked += 1
    }

    private mutating func unpark(channel: String, prevID: String) {
        parked[channel]?[prevID] = nil
        parkedCount -= 1
        if parked[channel]?.isEmpty == true {
            parked[channel] = nil
            parked.shrinkIfSparse()
        }
    }

    /// Sends `release`, then each parked item waiting for the id that just went out.
    private mutating func send(_ release: Release, into released: inout [Release]) {
        var current = release
        while true {
            released.append(current)
            let channel = current.item.channel
            guard let id = current.item.id else {
                lastIDs.remove(channel)
                return
            }
            lastIDs.set(id, for: channel)
            guard let next = parked[channel]?[id] else { return }
            unpark(channel: channel, prevID: id)
            counters.releasedInOrder += 1
            current = Release(item: next.item, offeredAt: next.offeredAt)
        }
    }
}
