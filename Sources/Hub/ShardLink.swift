import Synchronization

/// Both directions between the control thread and one shard, plus the ring file
/// descriptors each side targets with MSG_RING to wake the other.
///
/// Rings are created by the threads that own them, so each side publishes its ring's fd
/// here once its loop is ready; -1 means "not started yet".
public final class ShardLink: Sendable {
    public let index: Int
    /// Control → shard. Producer: control thread. Consumer: the shard.
    public let commands: Mailbox<ShardCommand>
    /// Shard → control. Producer: the shard. Consumer: control thread.
    public let reports: Mailbox<ShardReport>
    public let shardRingFD = Atomic<Int32>(-1)
    public let controlRingFD = Atomic<Int32>(-1)

    public init(index: Int, commandCapacity: Int = 4096, reportCapacity: Int = 1024) {
        self.index = index
        commands = Mailbox(capacity: commandCapacity)
        reports = Mailbox(capacity: reportCapacity)
    }
}

/// The user data carried by MSG_RING wake-ups between loops. Reserved values at the top of
/// the range, which no operation tag uses.
public enum WakeTag {
    /// A shard woke the control thread: its report mailbox has something.
    public static let control: UInt64 = 0xFFFF_FFFF_FFFF_FF01
    /// The control thread woke a shard: its command mailbox has something.
    public static let shard: UInt64 = 0xFFFF_FFFF_FFFF_FF02
}
