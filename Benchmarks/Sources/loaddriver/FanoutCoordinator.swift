import Foundation
import Histogram
import LoadDriverCore

/// Runs the phases on the main thread: starts the workers, decides when each phase is over
/// (or timed out), samples memory, prints progress once a second and merges the tallies.
/// It never touches a socket; workers only read the phase it sets.
final class FanoutCoordinator {
    let plan: FanoutPlan
    let pids: [Int32]
    let timeoutNanos: UInt64
    let settleNanos: UInt64
    let idleNanos: UInt64
    let control = FanoutControl()
    let statuses: [WorkerStatus]
    var report = FanoutReport()
    private var lastProgressNanos: UInt64 = 0

    init(plan: FanoutPlan, pids: [Int32], timeoutSeconds: Double, settleSeconds: Double, idleSeconds: Double) {
        self.plan = plan
        self.pids = pids
        timeoutNanos = UInt64(timeoutSeconds * 1e9)
        settleNanos = UInt64(settleSeconds * 1e9)
        idleNanos = UInt64(idleSeconds * 1e9)
        statuses = (0...plan.threads).map { _ in WorkerStatus() }  // the subscriber workers, then the publisher
    }

    /// The whole run; returns nil (after printing why) when the workers could not start.
    func run() -> FanoutReport? {
        report.rssBaselineBytes = ProcessMemory.residentBytes(pids: pids)
        startWorkers()
        connectPhase()
        if let error = startError() {
            FileHandle.standardError.write(Data("loaddriver: \(error)\n".utf8))
            control.move(to: .stop)
            return nil
        }
        control.move(to: .hold)
        sleep(nanos: settleNanos)
        report.rssHeldBytes = ProcessMemory.residentBytes(pids: pids)
        control.move(to: .publish)
        publishPhase()
        control.move(to: .stop)
        merge(collectResults())
        return report
    }

    private func startWorkers() {
        for (index, status) in statuses.enumerated() {
            let plan = self.plan, control = self.control
            let thread = Thread {
                do {
                    let worker = try FanoutWorker(index: index, plan: plan, control: control, status: status)
                    worker.run()
                } catch {
                    status.startError.withLock { $0 = "worker \(index): \(error)" }
                }
            }
            thread.name = "loaddriver-\(index)"
            thread.start()
        }
    }

    private func startError() -> String? {
        statuses.lazy.compactMap { $0.startError.withLock { $0 } }.first
    }

    /// The publisher runs on its own worker, after the subscriber workers.
    private var publisherStatus: WorkerStatus { statuses[plan.threads] }

    private func total(_ field: (WorkerStatus) -> Int) -> Int { statuses.reduce(0) { $0 + field($1) } }

    private func connectPhase() {
        let start = MonotonicClock.now()
        while true {
            let subscribed = total { $0.subscribed.load(ordering: .relaxed) }
            let failed = total { $0.failed.load(ordering: .relaxed) }
            let now = MonotonicClock.now()
            if subscribed + failed >= plan.subscribers || startError() != nil { break }
            if now - start > timeoutNanos {
                report.timedOut.append("connect")
                break
            }
            progress(now) {
                let opened = total { $0.opened.load(ordering: .relaxed) }
                let rate = Double(subscribed) / MonotonicClock.seconds(from: start, to: now)
                return "[connect \(seconds(now - start))s] opened \(opened), subscribed \(subscribed), failed \(failed), \(Int(rate))/s"
            }
            sleep(nanos: 10_000_000)
        }
    }

    private func publishPhase() {
        let start = MonotonicClock.now()
        var publishEnded: UInt64?
        var lastDelivered = -1
        var lastChange = start
        while true {
            let now = MonotonicClock.now()
            let delivered = total { $0.delivered.load(ordering: .relaxed) }
            // Re-read: a long-poll refused after its request went out stops counting as held.
            let expected = total { $0.subscribed.load(ordering: .relaxed) } * plan.expectedPerSubscriber
            if delivered != lastDelivered { lastDelivered = delivered; lastChange = now }
            let publishDone = publisherStatus.publishDone.load(ordering: .acquiring)
            if publishDone, publishEnded == nil { publishEnded = now }
            if let ended = publishEnded {
                if delivered >= expected { break }
                if now - lastChange > idleNanos { break }  // nothing more is coming
                if now - ended > timeoutNanos {
                    report.timedOut.append("delivery")
                    break
                }
            } else if now - start > timeoutNanos {
                report.timedOut.append("publish")
                break
            }
            progress(now) {
                let published = publisherStatus.publishedItems.load(ordering: .relaxed)
                let errors = publisherStatus.publishErrors.load(ordering: .relaxed)
                let label = publishEnded == nil ? "publish" : "deliver"
                return "[\(label) \(seconds(now - start))s] published \(published)/\(plan.channels * plan.messages) (\(errors) errors), "
                    + "delivered \(delivered)/\(expected)"
            }
            sleep(nanos: 5_000_000)
        }
    }

    /// Waits (bounded) for every worker to post its tallies after `stop`.
    private func collectResults() -> [WorkerResult] {
        let deadline = MonotonicClock.now() + 10_000_000_000
        while MonotonicClock.now() < deadline {
            let results = statuses.compactMap { $0.result.withLock { $0 } }
            if results.count == statuses.count { return results }
            sleep(nanos: 5_000_000)
        }
        report.timedOut.append("worker stop")
        return statuses.compactMap { $0.result.withLock { $0 } }
    }

    private func merge(_ results: [WorkerResult]) {
        report.kind = plan.kind.rawValue
        report.subscribers = plan.subscribers
        report.channels = plan.channels
        report.messages = plan.messages
        report.size = plan.publishBuilder.size
        report.rate = plan.rate
        report.threads = plan.threads

        let firstConnect: UInt64 = statuses.map { $0.firstConnectNanos.load(ordering: .relaxed) }.filter { $0 > 0 }.min() ?? 0
        let lastSubscribed: UInt64 = statuses.map { $0.lastSubscribedNanos.load(ordering: .relaxed) }.max() ?? 0
        report.subscribed = results.reduce(0) { $0 + $1.held }
        report.subscribeFailed = total { $0.failed.load(ordering: .relaxed) }
        report.subscribeSeconds = MonotonicClock.seconds(from: firstConnect, to: lastSubscribed)
        report.subscribeRate = report.subscribeSeconds > 0 ? Double(report.subscribed) / report.subscribeSeconds : 0
        if let baseline = report.rssBaselineBytes, let held = report.rssHeldBytes, report.subscribed > 0 {
            report.bytesPerConnection = Double(held - baseline) / Double(report.subscribed)
        }

        let publisher = publisherStatus
        report.publishedItems = publisher.publishedItems.load(ordering: .relaxed)
        report.failedItems = publisher.failedItems.load(ordering: .relaxed)
        report.publishRequests = publisher.publishRequests.load(ordering: .relaxed)
        report.publishErrors = publisher.publishErrors.load(ordering: .relaxed)
        let firstPublish = publisher.firstPublishNanos.load(ordering: .relaxed)
        report.publishSeconds = MonotonicClock.seconds(from: firstPublish, to: publisher.lastPublishAnswerNanos.load(ordering: .relaxed))

        report.expectedDeliveries = report.subscribed * plan.expectedPerSubscriber
        var latency = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        for result in results {
            report.delivered += result.delivered
            report.lost += result.lost
            report.duplicated += result.duplicated
            report.foreign += result.foreign
            report.unexpectedMessages += result.unexpectedMessages
            latency.add(result.latency)
            for (reason, count) in result.errors { report.errors[reason, default: 0] += count }
        }
        report.closedEarly = total { $0.closedEarly.load(ordering: .relaxed) }
        let lastDelivery: UInt64 = statuses.map { $0.lastDeliveryNanos.load(ordering: .relaxed) }.max() ?? 0
        report.deliverySeconds = MonotonicClock.seconds(from: firstPublish, to: lastDelivery)
        report.deliveriesPerSecond = report.deliverySeconds > 0 ? Double(report.delivered) / report.deliverySeconds : 0
        if latency.totalCount > 0 {
            report.latencyP50Millis = Double(latency.valueAtPercentile(50)) / 1000
            report.latencyP99Millis = Double(latency.valueAtPercentile(99)) / 1000
            report.latencyP999Millis = Double(latency.valueAtPercentile(99.9)) / 1000
            report.latencyMaxMillis = Double(latency.maxRecorded) / 1000
        }
    }

    /// At most one progress line per second, on stderr.
    private func progress(_ now: UInt64, _ line: () -> String) {
        guard now - lastProgressNanos >= 1_000_000_000 else { return }
        if lastProgressNanos != 0 { FileHandle.standardError.write(Data((line() + "\n").utf8)) }
        lastProgressNanos = now
    }

    private func seconds(_ nanos: UInt64) -> Int { Int(nanos / 1_000_000_000) }

    private func sleep(nanos: UInt64) {
        var request = timespec(tv_sec: Int(nanos / 1_000_000_000), tv_nsec: Int(nanos % 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}
