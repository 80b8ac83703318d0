import Hub
import IOUring

/// Sends commands to shards through their SPSC mailboxes and wakes the ones that sleep.
///
/// A full mailbox is never silent: the command waits in a local queue (order kept) and is
/// retried every loop turn; each such wait is counted. A publish that cannot get in within
/// `publishWaitNanos` is dropped for that shard and counted; other commands always wait.
final class ShardBroadcaster {
    private struct Waiting {
        var command: ShardCommand
        var since: Int64
    }

    let links: [ShardLink.ControlEnd]
    private var overflow: [[Waiting]]
    private(set) var ringFullWaits = 0
    private(set) var publishesDropped = 0
    static let publishWaitNanos: Int64 = 5_000_000_000

    init(links: [ShardLink.ControlEnd]) {
        self.links = links
        overflow = Array(repeating: [], count: links.count)
    }

    var hasBacklog: Bool { overflow.contains { !$0.isEmpty } }

    func send(_ command: ShardCommand, to shard: Int, ring: Ring) {
        if overflow[shard].isEmpty && links[shard].commands.push(command) {
            wake(shard, ring: ring)
            return
        }
        ringFullWaits += 1
        overflow[shard].append(Waiting(command: command, since: Clock.nowNanos()))
    }

    func broadcast(_ command: ShardCommand, ring: Ring) {
        for shard in links.indices { send(command, to: shard, ring: ring) }
    }

    /// Retries queued commands; called every loop turn.
    func retry(ring: Ring, now: Int64) {
        for shard in links.indices where !overflow[shard].isEmpty {
            var sent = 0
            for waiting in overflow[shard] {
                guard links[shard].commands.push(waiting.command) else { break }
                sent += 1
            }
            if sent > 0 {
                overflow[shard].removeFirst(sent)
                wake(shard, ring: ring)
            }
            overflow[shard].removeAll { waiting in
                guard case .publish = waiting.command, now - waiting.since > Self.publishWaitNanos else { return false }
                publishesDropped += 1
                return true
            }
            if overflow[shard].isEmpty { overflow[shard] = [] }  // a backlog's storage goes with it
        }
    }

    private func wake(_ shard: Int, ring: Ring) {
        guard links[shard].commands.takeWakeRequest() else { return }
        let target = links[shard].shardRingFD
        guard target >= 0 else { return }
        ring.prepareMessageRing(
            targetFD: target, value: 0, delivered: UserData(rawValue: WakeTag.shard),
            userData: UserData(op: ControlOperation.housekeeping.rawValue, generation: 0, slot: 0))
    }
}

enum ControlOperation: UInt8 {
    case accept = 1
    case recv
    case send
    case signal
    case housekeeping
    case zeroMQ
    case routesWatch
}
