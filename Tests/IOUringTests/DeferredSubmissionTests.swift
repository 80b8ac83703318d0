import CLibUring
import Glibc
import IOUring
import Testing

extension KernelTests {
    /// Operations prepared while the submission queue is full wait in the ring's FIFO and go
    /// to the kernel with the next submit, in the order they were prepared; none is lost.
    @Suite struct DeferredSubmissionTests {
        /// A ring handed to a second thread on purpose (see `aKernelThatRefusesLosesNothing`).
        final class HandOff: @unchecked Sendable {
            let ring: Ring
            init(_ ring: Ring) { self.ring = ring }
        }

        @Test func sendsBeyondTheQueueWaitForSubmitThenArriveInOrder() throws {
            let ring = try Ring(entries: 4)
            var pair: [Int32] = [-1, -1]
            try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
            defer { pair.forEach { close($0) } }
            let message = (0..<10).map { UInt8($0) }
            let outgoing = UnsafeMutableRawBufferPointer.allocate(byteCount: message.count, alignment: 1)
            defer { outgoing.deallocate() }
            outgoing.copyBytes(from: message)

            for index in message.indices {
                ring.prepareSend(
                    fd: pair[0], bytes: outgoing.baseAddress! + index, count: 1, userData: UserData(.send, slot: UInt32(index)))
            }
            #expect(ring.pending == 4)
            #expect(ring.deferredCount == 6 && ring.deferredTotal == 6)
            var received = [UInt8](repeating: 0xFF, count: 16)
            #expect(recv(pair[1], &received, received.count, Int32(MSG_DONTWAIT)) == -1, "preparing sent nothing yet")

            #expect(try ring.submit() == 10)
            #expect(ring.deferredCount == 0 && ring.pending == 0)
            let completions = try ring.collect { $0.count >= 10 }
            #expect(completions.map(\.userData.slot) == Array(0..<10), "completions in the order prepared")
            #expect(completions.allSatisfy { $0.result == 1 })
            let count = recv(pair[1], &received, received.count, Int32(MSG_DONTWAIT))
            #expect(Array(received.prefix(max(count, 0))) == message, "bytes in the order prepared")
        }

        /// Once something waits in the FIFO, a new operation queues behind it even when the
        /// submission queue has room again, so it cannot overtake an earlier one.
        @Test func aLaterOperationNeverOvertakesOneThatWaits() throws {
            let ring = try Ring(entries: 4)
            for slot in 0..<6 { ring.prepareNop(userData: UserData(.nop, slot: UInt32(slot))) }
            #expect(ring.deferredCount == 2)
            #expect(io_uring_submit(ring.raw) == 4, "the queue is handed over behind the ring's back: room again")
            ring.prepareNop(userData: UserData(.nop, slot: 6))
            #expect(ring.deferredCount == 3)
            #expect(try ring.submit() == 3)
            let completions = try ring.collect { $0.count >= 7 }
            #expect(completions.map(\.userData.slot) == Array(0..<7))
        }

        /// A kernel that takes nothing for a while (here: a second thread, which a single-issuer
        /// ring refuses with EEXIST) leaves every prepared operation waiting, not dropped; the
        /// next submit that the kernel takes sends them all, in order.
        @Test func aKernelThatRefusesLosesNothing() throws {
            let handOff = HandOff(try Ring(entries: 4))
            let refusal = SharedBox<Int32>(0)
            let other = JoinableThread(name: "refused-issuer") {
                for slot in 0..<10 { handOff.ring.prepareNop(userData: UserData(.nop, slot: UInt32(slot))) }
                do throws(IOUringError) {
                    try handOff.ring.submit()
                } catch {
                    refusal.value = error.errno
                }
            }
            #expect(other.join(seconds: 10))
            #expect(refusal.value == EEXIST, "the kernel refused the second thread")
            #expect(handOff.ring.pending + handOff.ring.deferredCount == 10)

            let completions = try handOff.ring.collect { $0.count >= 10 }
            #expect(completions.map(\.userData.slot) == Array(0..<10))
        }
    }
}
