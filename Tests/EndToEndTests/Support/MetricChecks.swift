import Testing

/// Expectations on one `/metrics` snapshot, collected instead of recorded so they can be
/// retried: pushpind updates counters asynchronously (some only after a send completes),
/// so a snapshot taken right after the client got its response may lag behind.
struct MetricChecks {
    let metrics: MetricsText
    private(set) var failures: [String] = []

    init(_ metrics: MetricsText) {
        self.metrics = metrics
    }

    mutating func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { failures.append(message()) }
    }

    /// The `shard="total"` sample of `name` with `labels` is at least `minimum`.
    mutating func expectTotal(_ name: String, _ labels: [String: String] = [:], atLeast minimum: Double) {
        let value = metrics.total(name, labels)
        expect(value >= minimum, "\(name)\(Self.render(labels)) is \(value), expected at least \(minimum)")
    }

    /// The `shard="total"` sample of `name` with `labels` equals `expected`.
    mutating func expectTotal(_ name: String, _ labels: [String: String] = [:], equals expected: Double) {
        let value = metrics.total(name, labels)
        expect(value == expected, "\(name)\(Self.render(labels)) is \(value), expected \(expected)")
    }

    /// The sample of `name` with exactly `labels` equals `expected` (the control thread's
    /// series carry no `shard` label).
    mutating func expectValue(_ name: String, _ labels: [String: String] = [:], equals expected: Double) {
        let value = metrics.value(name, labels)
        expect(value == expected, "\(name)\(labels) is \(value.map { "\($0)" } ?? "missing"), expected \(expected)")
    }

    private static func render(_ labels: [String: String]) -> String {
        let all = labels.merging(["shard": "total"]) { $1 }
        return "{" + all.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ",") + "}"
    }
}

extension PushpindProcess {
    /// Polls `/metrics` (every 50 ms, at most `timeout`) until `checks` finds nothing
    /// wrong, then records one issue per check still failing. Returns the last snapshot.
    @discardableResult
    func expectMetrics(
        within timeout: Duration = .seconds(5), sourceLocation: SourceLocation = #_sourceLocation,
        _ checks: (inout MetricChecks) -> Void
    ) throws -> MetricsText {
        let deadline = Deadline(in: timeout)
        while true {
            var result = MetricChecks(try metrics())
            checks(&result)
            if result.failures.isEmpty { return result.metrics }
            if deadline.hasPassed {
                for failure in result.failures {
                    Issue.record("\(failure) (after \(timeout) of polling /metrics)", sourceLocation: sourceLocation)
                }
                return result.metrics
            }
            pause(.milliseconds(50))
        }
    }
}
