import Foundation

/// A point in time after which an operation gives up. Every wait, read and poll in the
/// harness takes one, so no test can hang however pushpind misbehaves.
struct Deadline: Sendable {
    let end: ContinuousClock.Instant

    init(in duration: Duration) {
        end = .now + duration
    }

    var hasPassed: Bool { ContinuousClock.now >= end }

    /// Time left, never negative.
    var remaining: Duration {
        let left = end - .now
        return left > .zero ? left : .zero
    }

    /// Milliseconds left, clamped for `poll(2)`; at least 1 so a poll still looks once.
    var remainingMilliseconds: Int32 {
        let (seconds, attoseconds) = remaining.components
        let ms = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(1, ms))
    }
}

/// Blocks the calling thread; the tests are synchronous and run serialized.
func pause(_ duration: Duration) {
    let (seconds, attoseconds) = duration.components
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
    var left = timespec()
    while nanosleep(&request, &left) != 0 && errno == EINTR {
        request = left
    }
}

/// Retries `probe` every `interval` until it returns a value or `timeout` passes.
/// For states that settle asynchronously: metrics, fd counts, route reloads.
func eventually<T>(
    timeout: Duration = .seconds(5),
    interval: Duration = .milliseconds(50),
    _ probe: () throws -> T?
) rethrows -> T? {
    let deadline = Deadline(in: timeout)
    while true {
        if let value = try probe() { return value }
        if deadline.hasPassed { return nil }
        pause(interval)
    }
}

/// Runs `body` and returns how long it took.
func measure<T>(_ body: () throws -> T) rethrows -> (T, Duration) {
    let start = ContinuousClock.now
    let value = try body()
    return (value, ContinuousClock.now - start)
}
