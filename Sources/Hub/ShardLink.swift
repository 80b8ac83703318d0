import Synchronization

/// Both directions between the control thread and one shard, handed out as two ends: the
/// control thread's end sends commands and receives reports, the shard's end the opposite,
/// so the types keep each thread to its own side of each mailbox.
///
/// Rings are created by the threads that own them, so each side publishes its ring's fd
/// once its loop is ready (the other side wakes it there with MSG_RING); -1 means "not
/// started yet".
public enum ShardLink {
    public static func make(index: Int, commandCapacity: Int = 4096, reportCapacity: Int = 1024) -> (control: ControlEnd, shard: ShardEnd) {
        let commands = Mailbox<ShardCommand>.make(capacity: commandCapacity)
        let reports = Mailbox<ShardReport>.make(capacity: reportCapacity)
        let ringFDs = RingDescriptors()
        return (
            ControlEnd(index: index, commands: commands.producer, reports: reports.consumer, ringFDs: ringFDs),
            ShardEnd(index: index, commands: commands.consumer, reports: reports.producer, ringFDs: ringFDs)
        )
    }

    /// What the control thread holds for one shard.
    public struct ControlEnd: Sendable {
        public let index: Int
        public let commands: Mailbox<ShardCommand>.Producer
        public let reports: Mailbox<ShardReport>.Consumer
        fileprivate let ringFDs: RingDescriptors

        /// The shard's ring, to wake it; -1 until the shard runs.
        public var shardRingFD: Int32 { ringFDs.shard.load(ordering: .acquiring) }

        public func publishControlRingFD(_ fd: Int32) {
            ringFDs.control.store(fd, ordering: .releasing)
        }
    }

    /// What a shard holds of its link.
    public struct ShardEnd: Sendable {
        public let index: Int
        public let commands: Mailbox<ShardCommand>.Consumer
        public let reports: Mailbox<ShardReport>.Producer
        fileprivate let ringFDs: RingDescriptors

        /// The control thread's ring, to wake it; -1 until the control loop runs.
        public var controlRingFD: Int32 { ringFDs.control.load(ordering: .acquiring) }

        public func publishShardRingFD(_ fd: Int32) {
            ringFDs.shard.store(fd, ordering: .releasing)
        }
    }
}

/// The two ring descriptors both ends of a link read and publish.
private final class RingDescriptors: Sendable {
    let shard = Atomic<Int32>(-1)
    let control = Atomic<Int32>(-1)
}

/// The user data carried by MSG_RING wake-ups between loops. Reserved values at the top of
/// the range, which no operation tag uses.
public enum WakeTag {
    /// A shard woke the control thread: its report mailbox has something.
    public static let control: UInt64 = 0xFFFF_FFFF_FFFF_FF01
    /// The control thread woke a shard: its command mailbox has something.
    public static let shard: UInt64 = 0xFFFF_FFFF_FFFF_FF02
}
