import CZmq

/// What a ZeroMQ socket of the control thread is for.
enum ZeroMQRole: String, CaseIterable {
    case pull
    case sub
    case command
}

/// The control thread's libzmq context and sockets. Index `i` in `sockets` is the slot
/// its ring poll carries; `pending` holds sockets left with messages when a turn's budget
/// ran out (their descriptor will not signal again, so the loop must not sleep on them).
final class ZeroMQSockets {
    let context: UnsafeMutableRawPointer
    private(set) var sockets: [(role: ZeroMQRole, socket: ZMQSocket)] = []
    var pending: Set<Int> = []
    /// The SUB input's channel subscriptions.
    var forwarder: SubscriptionForwarder
    /// The stats PUB socket; only written to, so not polled.
    private(set) var stats: ZMQSocket? = nil

    /// Opens every configured socket; a bad endpoint fails start-up.
    init(_ configuration: ZeroMQConfiguration) throws(ZMQError) {
        guard let context = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        self.context = context
        forwarder = SubscriptionForwarder(lingerNanos: configuration.subscriptionLingerNanos)
        do throws(ZMQError) {
            if let spec = configuration.pushInSpec {
                let pull = try open(ZMQ_PULL, .pull, configuration)
                try pull.bind(spec)
            }
            if !configuration.pushInSubSpecs.isEmpty {
                let sub = try open(ZMQ_SUB, .sub, configuration)
                // Subscriptions must always reach the publisher.
                sub.setOption(ZMQ_SNDHWM, Int32(0))
                for spec in configuration.pushInSubSpecs {
                    if configuration.subConnect {
                        sub.setOption(ZMQ_TCP_KEEPALIVE, Int32(1))
                        try sub.connect(spec)
                    } else {
                        try sub.bind(spec)
                    }
                }
            }
            if let spec = configuration.commandSpec {
                let command = try open(ZMQ_REP, .command, configuration)
                try command.bind(spec)
            }
            if let spec = configuration.statsSpec {
                let stats = try ZMQSocket(context: context, type: ZMQ_PUB)
                stats.setOption(ZMQ_SNDHWM, Int32(200_000))
                try stats.bind(spec)
                self.stats = stats
            }
        } catch {
            close()
            throw error
        }
    }

    private func open(_ type: Int32, _ role: ZeroMQRole, _ configuration: ZeroMQConfiguration) throws(ZMQError) -> ZMQSocket {
        let socket = try ZMQSocket(context: context, type: type)
        socket.setOption(ZMQ_MAXMSGSIZE, Int64(configuration.maxMessageBytes))
        sockets.append((role, socket))
        return socket
    }

    func index(_ role: ZeroMQRole) -> Int? { sockets.firstIndex { $0.role == role } }

    func close() {
        for entry in sockets { entry.socket.close() }
        sockets = []
        stats?.close()
        stats = nil
        zmq_ctx_term(context)
    }
}
