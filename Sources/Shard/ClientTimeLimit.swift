/// The time limit a client connection is under while the shard waits for its request:
/// the rest of a head, the first byte of the next one, or more of a body. Pure bookkeeping
/// over the timer wheel; the loop schedules what `set` and `fired` ask for.
///
/// A connection keeps at most one wheel entry in flight, however often its limit changes:
/// moving a deadline later only updates `deadlineNanos`, and the entry, when it fires early,
/// asks to be scheduled again for the new deadline. So a busy keep-alive connection does not
/// fill the wheel with an entry per request. An earlier deadline does need a new entry;
/// bumping `token` makes the old one stale.
struct ClientTimeLimit {
    enum Kind: Equatable {
        /// A TLS client's handshake must be done by the deadline (`client_handshake_timeout`).
        case handshake
        /// The request head must be complete by the deadline (`client_header_timeout`).
        case header
        /// A keep-alive connection must start its next request (`client_idle_timeout`).
        case idle
        /// Some body byte must arrive by the deadline (`client_body_timeout`).
        case body
    }

    enum Firing: Equatable {
        /// Not this connection's current entry, or no limit in force: nothing to do.
        case none
        /// The deadline moved later: schedule an entry for it.
        case reschedule(deadlineNanos: Int64)
        case expired(Kind)
    }

    // Widest first, and no optional Int64: 24 bytes a connection rather than 40.
    private(set) var deadlineNanos: Int64 = 0
    /// When the entry in flight is due; 0 when none is.
    private var scheduledNanos: Int64 = 0
    /// Tag of the wheel entry in flight; entries with an older token are ignored.
    private(set) var token: UInt32 = 0
    private(set) var kind: Kind? = nil

    /// Puts the connection under `kind` until `deadlineNanos`. Returns the deadline to
    /// schedule a wheel entry for (with `token`), or nil when the entry in flight fires in time.
    mutating func set(_ kind: Kind, deadlineNanos: Int64) -> Int64? {
        self.kind = kind
        self.deadlineNanos = deadlineNanos
        if scheduledNanos != 0 && scheduledNanos <= deadlineNanos { return nil }
        token &+= 1
        scheduledNanos = deadlineNanos
        return deadlineNanos
    }

    /// No limit: the shard is not waiting for the client (response pending, held, WebSocket).
    /// The entry in flight stays in the wheel and is ignored when it fires.
    mutating func clear() {
        kind = nil
    }

    /// Pushes the current deadline later (body bytes arrived); never needs a new entry.
    mutating func extend(to deadlineNanos: Int64) {
        guard kind != nil, deadlineNanos > self.deadlineNanos else { return }
        self.deadlineNanos = deadlineNanos
    }

    /// The wheel entry tagged `token` fired at `nowNanos`.
    mutating func fired(token: UInt32, nowNanos: Int64) -> Firing {
        guard token == self.token, scheduledNanos != 0 else { return .none }
        scheduledNanos = 0
        guard let kind else { return .none }
        if nowNanos < deadlineNanos {
            scheduledNanos = deadlineNanos
            return .reschedule(deadlineNanos: deadlineNanos)
        }
        self.kind = nil
        return .expired(kind)
    }

    /// A fresh connection in the slot. The token keeps counting (the generation changes
    /// too, so entries of the previous connection are ignored either way).
    mutating func reset() {
        kind = nil
        deadlineNanos = 0
        scheduledNanos = 0
    }
}
