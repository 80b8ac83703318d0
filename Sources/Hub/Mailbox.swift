import Synchronization

/// One direction of the link between two loop threads: an SPSC ring plus the flag that
/// tells the producer whether the consumer may be asleep and needs a wake-up.
///
/// It is only ever seen as its two ends (`make`): the producing thread holds the `Producer`,
/// the consuming thread the `Consumer`, so neither can call the other side's methods.
///
/// The consumer calls `prepareToSleep()` before blocking; it returns false when something
/// arrived meanwhile, so the consumer must not block. The producer pushes, then calls
/// `takeWakeRequest()`; true means the consumer may be blocked and must be woken (with
/// MSG_RING). Both sides use sequentially consistent ordering: a store followed by a load
/// of the other side's state, which weaker orderings would allow to be reordered (Seastar's
/// `maybe_wakeup` makes the same point).
public final class Mailbox<Element: Sendable>: Sendable {
    private let ring: SPSCRing<Element>
    private let sleeping = Atomic<Bool>(false)

    private init(capacity: Int) {
        ring = SPSCRing(capacity: capacity)
    }

    /// A new mailbox of at least `capacity` items (rounded up to a power of two), as its two ends.
    public static func make(capacity: Int) -> (producer: Producer, consumer: Consumer) {
        let mailbox = Mailbox(capacity: capacity)
        return (Producer(mailbox: mailbox), Consumer(mailbox: mailbox))
    }

    /// The sending end, for the one thread that pushes.
    public struct Producer: Sendable {
        fileprivate let mailbox: Mailbox

        public var capacity: Int { mailbox.ring.capacity }

        /// False when the ring is full: the item was not taken.
        public func push(_ element: Element) -> Bool {
            mailbox.ring.push(element)
        }

        /// After pushing: true when the consumer has to be woken.
        public func takeWakeRequest() -> Bool {
            // The push was a release store; order it before reading the flag.
            atomicMemoryFence(ordering: .sequentiallyConsistent)
            return mailbox.sleeping.exchange(false, ordering: .sequentiallyConsistent)
        }
    }

    /// The receiving end, for the one thread that pops.
    public struct Consumer: Sendable {
        fileprivate let mailbox: Mailbox

        public var capacity: Int { mailbox.ring.capacity }
        public var isEmpty: Bool { mailbox.ring.isEmpty }

        public func pop() -> Element? {
            mailbox.ring.pop()
        }

        /// Announces the intent to block. False means items are waiting: do not block.
        public func prepareToSleep() -> Bool {
            mailbox.sleeping.store(true, ordering: .sequentiallyConsistent)
            if !mailbox.ring.isEmpty {
                mailbox.sleeping.store(false, ordering: .sequentiallyConsistent)
                return false
            }
            return true
        }

        /// Awake again (after the blocking wait returned for whatever reason).
        public func didWake() {
            mailbox.sleeping.store(false, ordering: .relaxed)
        }
    }
}
