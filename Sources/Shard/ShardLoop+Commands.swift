import Hub
import IOUring

extension ShardLoop {
    /// Handles what the control thread sent, a bounded batch per turn so a flood of commands
    /// cannot starve the connections.
    func drainCommands() {
        var handled = 0
        while handled < configuration.commandBatchMax, let command = link.commands.pop() {
            handled += 1
            switch command {
            case .publish(let message):
                deliver(message)
            case .reportStats(let sequence):
                var snapshot = stats
                snapshot.connectionsOpen = stats.connectionsAccepted - stats.connectionsClosed
                snapshot.heldStream = heldStreamCount
                snapshot.heldResponse = heldResponseCount
                snapshot.subscriptions = subscriptionTable.count
                snapshot.channels = subscriptionTable.channels.count
                snapshot.webSocketOpen = webSocketOpenCount
                snapshot.connectionSlots = clients.heldCount
                snapshot.ringSubmissionsDeferred = ring.deferredTotal
                enqueueReport(.stats(shard: index, sequence: sequence, snapshot))
            case .installRoutes(let routing):
                self.routing = routing
                resolveRoutes()
                logger.debug("routes installed", metadata: ["routes": "\(routing.table.routes.count)"])
            case .shutdown(let drainNanos):
                beginDrain(drainNanos: drainNanos)
            case .recover:
                recoverAll()
            case let .lastID(channel, id):
                lastIDArrived(channel: channel, id: id)
            case let .findConnections(sequence, ids, refresh):
                enqueueReport(.connectionsFound(shard: index, sequence: sequence, ids: findConnections(ids, refresh: refresh)))
            case .refreshChannel(let channel):
                refreshSessions(of: channel)
            }
        }
    }

    func enqueueReport(_ report: ShardReport) {
        pendingReports.append(report)
    }

    /// Pushes queued reports into the report ring and wakes the control thread if it sleeps.
    /// A full ring keeps the rest for the next turn: the shard never blocks on control.
    func flushReports() {
        if statsEvents != nil { batchStatsEvents() }
        guard !pendingReports.isEmpty else { return }
        var sent = 0
        for report in pendingReports {
            guard link.reports.push(report) else { break }
            sent += 1
        }
        if sent > 0 {
            pendingReports.removeFirst(sent)
            if link.reports.takeWakeRequest() {
                let target = link.controlRingFD
                if target >= 0 {
                    ring.prepareMessageRing(
                        targetFD: target, value: UInt32(index), delivered: UserData(rawValue: WakeTag.control),
                        userData: .housekeeping)
                }
            }
        }
    }

    func fireTimers() {
        guard timers.count > 0 else { return }
        for entry in timers.advance(to: now) {
            guard let kind = TimerKind(rawValue: entry.kind) else { continue }
            switch kind {
            case .backendDeadline: backendDeadlinePassed(entry)
            case .lingerDeadline: lingerDeadlinePassed(entry)
            case .backendIdle: backendIdlePassed(entry)
            case .holdTimer: holdTimerFired(entry)
            case .recovery: recoveryTimerFired(entry)
            case .sessionUpdates: sessionUpdatesDue(entry)
            case .webSocketRetry, .webSocketKeepAlive: sessionTimerFired(entry)
            case .clientTimeLimit: clientTimeLimitFired(entry)
            case .acceptRetry:
                if !draining, Int(entry.slot) < listeners.count { armAccept(Int(entry.slot)) }
            }
        }
    }

    func schedule(_ kind: TimerKind, slot: UInt32, socket: inout SocketState, afterNanos: Int64) {
        socket.timerToken &+= 1
        timers.schedule(
            kind: kind.rawValue, slot: slot, generation: socket.generation, token: socket.timerToken,
            deadlineNanos: now + afterNanos)
    }
}

