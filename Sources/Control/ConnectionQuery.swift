import Wire

/// A `conncheck` or `refresh` of given connections, asked of every shard. The command socket
/// (REP) answers one request at a time, so it is not read again until this is answered:
/// when all shards replied or after a short bound (then with what the others found).
struct ConnectionQuery {
    enum Purpose {
        /// Reply with the list of ids found.
        case check
        /// Reply with success, or `item-not-found` when no shard had the connection.
        case refresh
    }

    let sequence: UInt64
    let purpose: Purpose
    /// The request's `id`, for the reply.
    let requestID: TnetValue?
    let deadline: Int64
    private var pending: Set<Int>
    private(set) var found: Set<String> = []
    /// The ids in the order asked, so the reply lists them in that order.
    let asked: [String]

    init(sequence: UInt64, purpose: Purpose, requestID: TnetValue?, ids: [String], shards: Int, deadline: Int64) {
        self.sequence = sequence
        self.purpose = purpose
        self.requestID = requestID
        self.deadline = deadline
        asked = ids
        pending = Set(0..<shards)
    }

    mutating func received(shard: Int, sequence: UInt64, ids: [String]) {
        guard sequence == self.sequence else { return }
        pending.remove(shard)
        found.formUnion(ids)
    }

    var complete: Bool { pending.isEmpty }

    var reply: CommandRPC.Reply {
        let present = asked.filter { found.contains($0) }
        switch purpose {
        case .check: return .success(value: .list(present.map { .string($0) }))
        case .refresh: return present.isEmpty ? .failure(condition: "item-not-found") : .success(value: nil)
        }
    }
}
