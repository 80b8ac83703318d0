import Hub
import Testing

@Suite struct ClockTests {
    @Test func monotonicTimeNeverGoesBack() {
        var last = Clock.nowNanos()
        #expect(last > 0)
        for _ in 0..<1000 {
            let now = Clock.nowNanos()
            #expect(now >= last)
            last = now
        }
    }

    /// Wall time is seconds since the epoch (after 2020-01-01, before 2100), not nanoseconds
    /// or monotonic time.
    @Test func wallTimeIsEpochSeconds() {
        #expect((1_577_836_800..<4_102_444_800).contains(Clock.wallSeconds()))
    }
}
