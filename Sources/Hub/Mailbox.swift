import Synchronization

/// One direction of the link between two loop threads: an SPSC ring plus the flag that
/// tells the producer whether the consumer may be asleep and needs a wake-up.
///
/// The consumer calls `prepareToSleep()` before blocking; it returns false when something
/// arrived meanwhile, so the consumer must not block. The producer pushes, then calls
/// `takeWakeRequest()`; true means the consumer may be blocked and must be woken (with
/// MSG_RING). Both sides use sequentially consistent ordering: a store followed by a load
/// of the other side's state, which weaker orderings would allow to be reordered (Seastar's
/// `maybe_wakeup` makes the same point).
public final class Mailbox<Element: Sendable>: Sendable {
    public let ring: SPSCRing<Element>
    private let sleeping = Atomic<Bool>(false)

    public init(capacity: Int) {
        ring = SPSCRing(capacity: capacity)
    }

    /// Consumer: announce the intent to block. False means items are waiting: do not block.
    public func prepareToSleep() -> Bool {
        sleeping.store(true, ordering: .sequentiallyConsistent)
        if !ring.isEmpty {
            sleeping.store(false, ordering: .sequentiallyConsistent)
            return false
        }
        return true
    }

    /// Consumer: awake again (after the blocking wait returned for whatever reason).
    public func didWake() {
        sleeping.store(false, ordering: .relaxed)
    }

    /// Producer, after pushing: true when the consumer has to be woken.
    public func takeWakeRequest() -> Bool {
        // The push was a release store; order it before reading the flag.
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        return sleeping.exchange(false, ordering: .sequentiallyConsistent)
    }
}
