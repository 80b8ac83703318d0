import CLibUring
import Glibc
import IOUring
import Testing

extension KernelTests {
    @Suite struct RingTests {
        @Test func initAndSubmitWithNothingPending() throws {
            let ring = try Ring(entries: 8)
            #expect(ring.fd >= 0)
            #expect(Loopback.isOpen(ring.fd))
            #expect(ring.pending == 0)
            #expect(try ring.submit() == 0)
            try ring.submitAndPoll()
            #expect(ring.reap { _ in Issue.record("no completion expected") } == 0)
        }

        @Test func usesSingleIssuerDeferredTaskRunAndLargerCompletionQueue() throws {
            let ring = try Ring(entries: 8)
            let flags = ring.raw.pointee.flags
            #expect(flags & IORING_SETUP_SINGLE_ISSUER != 0)
            #expect(flags & IORING_SETUP_DEFER_TASKRUN != 0)
            #expect(ring.raw.pointee.sq.ring_entries == 8)
            #expect(ring.raw.pointee.cq.ring_entries == 32)
        }

        @Test func waitingWithNothingInFlightTimesOutQuietly() throws {
            let ring = try Ring(entries: 4)
            try ring.submitAndWait(timeoutNanos: 1_000_000)
            #expect(ring.reap { _ in } == 0)
        }

        @Test func countsPreparedEntriesAndEchoesUserData() throws {
            let ring = try Ring(entries: 8)
            for slot in 0..<3 { ring.prepareNop(userData: UserData(.nop, slot: UInt32(slot), generation: 77)) }
            #expect(ring.pending == 3)
            #expect(try ring.submit() == 3)
            #expect(ring.pending == 0)

            let completions = try ring.collect { $0.count >= 3 }
            #expect(completions.map(\.userData.slot).sorted() == [0, 1, 2])
            #expect(completions.allSatisfy { $0.result == 0 && $0.userData.op == TestOp.nop.rawValue && $0.userData.generation == 77 })
        }

        @Test func reapHonoursTheBatchSize() throws {
            let ring = try Ring(entries: 16)
            for slot in 0..<10 { ring.prepareNop(userData: UserData(.nop, slot: UInt32(slot))) }
            try ring.submit()
            try ring.submitAndPoll()  // NOPs complete inline; this only flushes deferred work
            var seen: [UInt32] = []
            var batches: [Int] = []
            for _ in 0..<10 {
                let n = ring.reap(batch: 4) { seen.append($0.userData.slot) }
                if n == 0 { break }
                batches.append(n)
            }
            #expect(batches == [4, 4, 2])
            #expect(seen == Array(0..<10), "completions come out in order, each once")
        }
    }
}
