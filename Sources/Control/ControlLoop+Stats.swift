import Glibc
import Hub
import Wire

/// The stats socket (PUB at `stats_spec`): what `StatsTracker` says goes out in `stats_format`.
extension ControlLoop {
    var statsSettings: StatsTracker.Settings {
        let zeroMQ = configuration.zeroMQ
        return StatsTracker.Settings(
            connectionTTL: zeroMQ.statsConnectionTTL, subscriptionTTL: zeroMQ.statsSubscriptionTTL,
            reportIntervalNanos: zeroMQ.statsReportIntervalNanos, responseLingerNanos: zeroMQ.subscriptionLingerNanos)
    }

    func statsEventsArrived(_ events: [StatsEvent]) {
        guard statsTracker != nil else { return }
        sendStats(statsTracker!.apply(events, now: now))
    }

    func statsPublished(_ item: PublishItem) {
        guard statsTracker != nil else { return }
        sendStats(statsTracker!.published(item))
    }

    func tickStats() {
        guard statsTracker != nil else { return }
        let packets = statsTracker!.tick(now: now)
        if !packets.isEmpty { sendStats(packets) }
    }

    /// PUB never blocks: past its high-water mark libzmq drops, which is what a stats feed wants.
    private func sendStats(_ packets: [StatsPacket]) {
        guard let socket = zeroMQ?.stats else { return }
        let format = configuration.zeroMQ.statsFormat
        for packet in packets {
            if socket.send([packet.encode(format: format, from: Self.statsSender)]) {
                controlStats.statsSent += 1
            } else {
                controlStats.statsDropped += 1
            }
        }
    }

    /// The `from` of every stats message, as Pushpin names its handler (`pushpin-handler_<pid>`).
    static let statsSender = "pushpind_\(getpid())"
}
