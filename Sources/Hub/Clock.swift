import Glibc

/// The process's one reading of time, for the control thread and every shard alike.
///
/// Monotonic time drives deadlines, timers and latencies; wall time is read only for what
/// leaves the process as a date (a token's `exp`, checking a publisher's token).
public enum Clock {
    /// CLOCK_MONOTONIC, in nanoseconds.
    public static func nowNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// CLOCK_REALTIME, in whole seconds since the Unix epoch.
    public static func wallSeconds() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int(ts.tv_sec)
    }
}
