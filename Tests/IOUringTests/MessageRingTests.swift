import Glibc
import IOUring
import Synchronization
import Testing

extension KernelTests {
    @Suite struct MessageRingTests {
        struct Receipt: Sendable {
            var completions: [Completion] = []
            var failure: String? = nil
        }

        /// Thread A sleeps in `submitAndWait`; thread B, with its own ring, posts into A's ring.
        @Test func messageWakesAnotherThreadsRing() {
            let value: UInt32 = 0x00C0_FFEE
            let delivered = UserData(.message, slot: 0xABCD, generation: 0x42)
            let targetFD = Atomic<Int32>(-1)
            let targetDone = Atomic<Bool>(false)
            let receipt = SharedBox(Receipt())
            let senderFailure = SharedBox<String?>(nil)

            let target = JoinableThread(name: "msg-ring-target") {
                var result = Receipt()
                defer {
                    receipt.value = result
                    targetDone.store(true, ordering: .releasing)
                }
                let ring: Ring
                do { ring = try Ring(entries: 8) } catch {
                    result.failure = "target ring: \(error)"
                    targetFD.store(-2, ordering: .releasing)
                    return
                }
                targetFD.store(ring.fd, ordering: .releasing)
                // Blocks until the message lands; a few rounds only in case of EINTR.
                let deadline = ContinuousClock.now + .seconds(10)
                while !result.completions.contains(where: { $0.userData == delivered }), ContinuousClock.now < deadline {
                    do { try ring.submitAndWait(timeoutNanos: 5_000_000_000) } catch {
                        result.failure = "submitAndWait: \(error)"
                        return
                    }
                    _ = ring.reap { result.completions.append($0) }
                }
            }

            let sender = JoinableThread(name: "msg-ring-sender") {
                var fd: Int32 = -1
                for _ in 0..<10_000 {
                    fd = targetFD.load(ordering: .acquiring)
                    if fd != -1 { break }
                    usleep(1_000)
                }
                guard fd >= 0 else {
                    senderFailure.value = "target ring never published its fd"
                    return
                }
                do {
                    let ring = try Ring(entries: 4)
                    // Give the target time to block; the wake-up must work either way.
                    usleep(20_000)
                    ring.prepareMessageRing(targetFD: fd, value: value, delivered: delivered, userData: UserData(.message))
                    try ring.submit()
                    // Keep this ring until the target has its message, then look for a failure report.
                    for _ in 0..<10_000 where !targetDone.load(ordering: .acquiring) { usleep(1_000) }
                    let own = try ring.drainReady()
                    if !own.isEmpty { senderFailure.value = "sender got completions: \(own.map(\.result))" }
                } catch {
                    senderFailure.value = "sender ring: \(error)"
                }
            }

            #expect(target.join(seconds: 20), "target thread did not finish")
            #expect(sender.join(seconds: 20), "sender thread did not finish")
            let result = receipt.value
            #expect(result.failure == nil)
            #expect(senderFailure.value == nil)
            let message = result.completions.first { $0.userData == delivered }
            #expect(message != nil)
            #expect(message?.result == Int32(bitPattern: value))
            #expect(message?.userData.op == TestOp.message.rawValue)
            #expect(message?.userData.slot == 0xABCD)
            #expect(message?.userData.generation == 0x42)
        }

        @Test func messageToNonRingDescriptorFails() throws {
            let ring = try Ring(entries: 4)
            let notARing = try Loopback.tcpSocket()
            defer { close(notARing) }
            let tag = UserData(.message, slot: 9)
            ring.prepareMessageRing(targetFD: notARing, value: 1, delivered: UserData(.message), userData: tag)
            let completions = try ring.collect { $0.contains { $0.userData == tag } }
            #expect(completions.first?.result == -EBADFD)
        }
    }
}
