import Foundation
import Hub
import Testing

@Suite struct SPSCRingThreadTests {
    struct ConsumerOutcome: Sendable {
        var received = 0
        var checksum = 0
        /// The first value that arrived out of sequence, with the value that was expected.
        var firstMismatch: (expected: Int, got: Int)? = nil
        var timedOut = false
    }

    @Test func producerAndConsumerThreadsPassTwoMillionInOrder() {
        let total = 2_000_000
        let ring = SPSCRing<Int>(capacity: 1024)
        let deadline = Deadline(seconds: 30)
        let outcome = SharedBox(ConsumerOutcome())
        let producerTimedOut = SharedBox(false)

        let consumer = JoinableThread(name: "spsc-consumer") {
            var result = ConsumerOutcome()
            var idle = 0
            while result.received < total {
                guard let value = ring.pop() else {
                    idle += 1
                    if idle % 256 == 0, deadline.hasPassed {
                        result.timedOut = true
                        break
                    }
                    sched_yield()
                    continue
                }
                if value != result.received {
                    result.firstMismatch = (result.received, value)
                    break
                }
                result.checksum &+= value
                result.received += 1
            }
            outcome.value = result
        }
        let producer = JoinableThread(name: "spsc-producer") {
            var next = 0
            var refused = 0
            while next < total {
                if ring.push(next) {
                    next += 1
                    continue
                }
                refused += 1
                if refused % 256 == 0, deadline.hasPassed {
                    producerTimedOut.value = true
                    return
                }
                sched_yield()
            }
        }

        #expect(producer.join(seconds: 40), "producer thread did not finish")
        #expect(consumer.join(seconds: 40), "consumer thread did not finish")
        let result = outcome.value
        #expect(!producerTimedOut.value)
        #expect(!result.timedOut)
        #expect(result.firstMismatch == nil)
        #expect(result.received == total)
        #expect(result.checksum == total * (total - 1) / 2)
        #expect(ring.isEmpty)
    }
}
