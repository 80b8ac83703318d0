/// When a shard gives memory back after a connection peak: at least half of the slots holding
/// memory are free, at least that many connections closed since the last time, and no
/// connection opened or closed for `quietNanos` (or the drop has waited `latestNanos`, for a
/// shard that never goes quiet). Checked once per `intervalNanos` at the end of a loop turn, never per
/// connection: giving back means walking the tables and asking malloc to trim.
struct ReclaimSchedule {
    var intervalNanos: Int64 = 1_000_000_000
    var quietNanos: Int64 = 2_000_000_000
    var latestNanos: Int64 = 10_000_000_000
    /// Fewer free slots than this are not worth a trim.
    var minimumFreeSlots = 256

    private var nextCheckNanos: Int64 = 0
    /// Accepts plus closes at the last check, and when that last changed.
    private var lastEvents = 0
    private var lastChangeNanos: Int64 = 0
    /// Closes counted when memory was last given back.
    private var closedAtLastReclaim = 0
    /// When the current drop was first seen, if one is waiting.
    private var dropSeenNanos: Int64? = nil

    /// The one comparison a loop turn pays.
    func isDue(now: Int64) -> Bool { now >= nextCheckNanos }

    /// Called when due: true when memory should be given back now (the caller then does so).
    mutating func check(now: Int64, slots: Int, open: Int, accepted: Int, closed: Int) -> Bool {
        nextCheckNanos = now + intervalNanos
        let events = accepted + closed
        if events != lastEvents {
            lastEvents = events
            lastChangeNanos = now
        }
        let freeSlots = slots - open
        guard freeSlots >= minimumFreeSlots, freeSlots * 2 >= slots, closed - closedAtLastReclaim >= freeSlots else {
            dropSeenNanos = nil
            return false
        }
        let seen = dropSeenNanos ?? now
        dropSeenNanos = seen
        guard now - lastChangeNanos >= quietNanos || now - seen >= latestNanos else { return false }
        closedAtLastReclaim = closed
        dropSeenNanos = nil
        return true
    }
}
