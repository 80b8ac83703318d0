import CZmq
import Hub
import IOUring
import Wire

/// The ZeroMQ publish inputs (publish.md §5): PULL carries one item per message, SUB a
/// channel frame then an item. Both go through the HTTP API's validation and broadcast.
extension ControlLoop {
    /// Messages read from one socket per turn before other work gets a chance.
    static let zeroMQBudget = 1024

    func armZeroMQPolls() {
        guard let zeroMQ else { return }
        for index in zeroMQ.sockets.indices { armZeroMQPoll(index) }
    }

    private func armZeroMQPoll(_ index: Int) {
        guard let zeroMQ else { return }
        ring.preparePollIn(
            fd: zeroMQ.sockets[index].socket.fd,
            userData: UserData(op: ControlOperation.zeroMQ.rawValue, generation: 0, slot: UInt32(index)))
    }

    /// The socket's descriptor signalled: drain it, then poll again.
    func zeroMQReady(_ completion: Completion) {
        let index = Int(completion.userData.slot)
        guard let zeroMQ, index < zeroMQ.sockets.count else { return }
        drainZeroMQ(index)
        armZeroMQPoll(index)
    }

    /// Sockets whose last drain stopped at the budget.
    func drainPendingZeroMQ() {
        guard let zeroMQ, !zeroMQ.pending.isEmpty else { return }
        for index in zeroMQ.pending.sorted() { drainZeroMQ(index) }
    }

    private func drainZeroMQ(_ index: Int) {
        guard let zeroMQ else { return }
        let (role, socket) = zeroMQ.sockets[index]
        zeroMQ.pending.remove(index)
        // A REP socket takes no request before the last one's reply; this one waits for shards.
        if role == .command && connectionQuery != nil { return }
        // Subscriptions shards reported before these messages were read must count.
        drainReports()
        for _ in 0..<Self.zeroMQBudget {
            guard let message = socket.receive(maxParts: 2) else { return }
            controlStats.zeroMQReceived[role, default: 0] += 1
            switch role {
            case .pull: pullReceived(message.parts, partCount: message.partCount)
            case .sub: subReceived(message.parts, partCount: message.partCount)
            case .command: commandReceived(socket, message.parts, partCount: message.partCount)
            }
        }
        if socket.isReadable { zeroMQ.pending.insert(index) }
    }

    private func pullReceived(_ parts: [[UInt8]], partCount: Int) {
        guard partCount == 1 else {
            rejectZeroMQ(.pull, "message has \(partCount) parts, expected 1")
            return
        }
        publishZeroMQItem(PublishItemFrame.parse(parts[0]), from: .pull)
    }

    private func subReceived(_ parts: [[UInt8]], partCount: Int) {
        guard partCount == 2 else {
            rejectZeroMQ(.sub, "message has \(partCount) parts, expected 2 (channel, item)")
            return
        }
        guard let channel = String(validating: parts[0], as: UTF8.self), !channel.isEmpty else {
            rejectZeroMQ(.sub, "channel frame is empty or not UTF-8")
            return
        }
        publishZeroMQItem(PublishItemFrame.parse(parts[1], channel: channel), from: .sub)
    }

    private func publishZeroMQItem(_ result: Result<PublishItem, PublishError>, from role: ZeroMQRole) {
        switch result {
        case .failure(let error): rejectZeroMQ(role, error.message)
        case .success(let item): broadcastPublished([item])
        }
    }

    private func rejectZeroMQ(_ role: ZeroMQRole, _ reason: String) {
        controlStats.zeroMQRejected[role, default: 0] += 1
        logger.warning("zmq \(role.rawValue): dropping message: \(reason)")
    }
}

/// Subscription forwarding on the SUB input: local interest becomes ZeroMQ subscriptions.
extension ControlLoop {
    func channelGained(_ channel: String) {
        guard let zeroMQ, zeroMQ.index(.sub) != nil else { return }
        if let action = zeroMQ.forwarder.channelGained(channel) { applyForwarding([action]) }
    }

    func channelLost(_ channel: String) {
        guard let zeroMQ, zeroMQ.index(.sub) != nil else { return }
        zeroMQ.forwarder.channelLost(channel, now: now)
    }

    func expireForwardedSubscriptions() {
        guard let zeroMQ, zeroMQ.index(.sub) != nil else { return }
        let actions = zeroMQ.forwarder.expire(now: now)
        if !actions.isEmpty { applyForwarding(actions) }
    }

    private func applyForwarding(_ actions: [SubscriptionForwarder.Action]) {
        guard let zeroMQ, let index = zeroMQ.index(.sub) else { return }
        let socket = zeroMQ.sockets[index].socket
        for action in actions {
            switch action {
            case .subscribe(let channel): socket.setOption(ZMQ_SUBSCRIBE, bytes: Array(channel.utf8))
            case .unsubscribe(let channel): socket.setOption(ZMQ_UNSUBSCRIBE, bytes: Array(channel.utf8))
            }
        }
        // libzmq may have taken the descriptor's notification while handling the call.
        zeroMQ.pending.insert(index)
    }
}
