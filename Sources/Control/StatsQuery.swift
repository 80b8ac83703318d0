/// A request for fresh statistics from every shard, and the control connections waiting for
/// the answer. Answered when all shards replied or after a short bound (then with the latest
/// figures each silent shard sent before).
struct StatsQuery {
    let sequence: UInt64
    let deadline: Int64
    private var pending: Set<Int>
    var waiters: [(slot: UInt32, generation: UInt32)] = []

    init(sequence: UInt64, shards: Int, deadline: Int64) {
        self.sequence = sequence
        self.deadline = deadline
        pending = Set(0..<shards)
    }

    mutating func received(shard: Int, sequence: UInt64) {
        if sequence == self.sequence { pending.remove(shard) }
    }

    var complete: Bool { pending.isEmpty }
}
