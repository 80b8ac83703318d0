import Foundation
import Hub
import Synchronization
import Testing

@Suite struct MailboxTests {
    @Test func noWakeRequestBeforeTheConsumerPreparesToSleep() {
        let (producer, consumer) = Mailbox<Int>.make(capacity: 4)
        #expect(!producer.takeWakeRequest())
        #expect(producer.push(1))
        #expect(!producer.takeWakeRequest(), "pushing alone never asks for a wake-up")
    }

    @Test func prepareToSleepRefusesWhenItemsAreQueued() {
        let (producer, consumer) = Mailbox<Int>.make(capacity: 4)
        #expect(producer.push(7))
        #expect(!consumer.prepareToSleep())
        #expect(!producer.takeWakeRequest(), "a consumer that did not go to sleep needs no wake-up")
        #expect(consumer.pop() == 7)
        #expect(consumer.prepareToSleep())
    }

    @Test func wakeRequestIsTakenExactlyOnce() {
        let (producer, consumer) = Mailbox<Int>.make(capacity: 4)
        #expect(consumer.prepareToSleep())
        #expect(producer.push(1))
        #expect(producer.takeWakeRequest())
        #expect(!producer.takeWakeRequest())
        #expect(!producer.takeWakeRequest())
    }

    @Test func didWakeWithdrawsTheWakeRequest() {
        let (producer, consumer) = Mailbox<Int>.make(capacity: 4)
        #expect(consumer.prepareToSleep())
        consumer.didWake()
        #expect(!producer.takeWakeRequest())
    }

    @Test func eachSleepGivesOneWakeRequest() {
        let (producer, consumer) = Mailbox<Int>.make(capacity: 4)
        for round in 0..<50 {
            #expect(consumer.prepareToSleep())
            #expect(producer.push(round))
            #expect(producer.takeWakeRequest())
            #expect(!producer.takeWakeRequest())
            consumer.didWake()
            #expect(consumer.pop() == round)
        }
    }

    struct ConsumerOutcome: Sendable {
        var received = 0
        var outOfOrder = 0
        /// Waits that timed out although items were queued: a wake-up was lost.
        var lostWakeUps = 0
        var sleeps = 0
        var timedOut = false
    }

    /// The consumer blocks on a semaphore whenever `prepareToSleep` allows it; the producer
    /// signals only when `takeWakeRequest` says so. The producer pushes short bursts and then
    /// waits for the consumer to catch up, so every burst ends with nothing left to push: a
    /// lost wake-up shows as a consumer wait that times out while items are queued.
    @Test func twoThreadsDeliverEveryItemWithoutLostWakeUps() {
        let total = 20_000
        let (sending, receiving) = Mailbox<Int>.make(capacity: 16)
        let wake = DispatchSemaphore(value: 0)
        let consumed = Atomic<Int>(0)
        let deadline = Deadline(seconds: 20)
        let outcome = SharedBox(ConsumerOutcome())
        let producerGaveUp = SharedBox(false)

        let consumer = JoinableThread(name: "mailbox-consumer") {
            var result = ConsumerOutcome()
            while result.received < total {
                if deadline.hasPassed {
                    result.timedOut = true
                    break
                }
                while let value = receiving.pop() {
                    if value != result.received { result.outOfOrder += 1 }
                    result.received += 1
                }
                consumed.store(result.received, ordering: .releasing)
                if result.received == total { break }
                // A real loop does other work here; yielding widens the window in which the
                // producer pushes between the last empty pop and prepareToSleep.
                if result.received % 3 == 0 { sched_yield() }
                guard receiving.prepareToSleep() else { continue }
                result.sleeps += 1
                if wake.wait(timeout: .now() + .seconds(1)) == .timedOut, !receiving.isEmpty {
                    // Items queued and no signal yet. A producer descheduled between
                    // takeWakeRequest and signal() still signals; a lost wake-up never does,
                    // because the producer now waits for this consumer to catch up.
                    if wake.wait(timeout: .now() + .seconds(3)) == .timedOut {
                        result.lostWakeUps += 1
                        break  // fail fast; the producer gives up when it sees this
                    }
                }
                receiving.didWake()
            }
            outcome.value = result
        }
        let producer = JoinableThread(name: "mailbox-producer") {
            var pushed = 0
            let consumerGaveUp = { outcome.value.lostWakeUps > 0 || outcome.value.timedOut }
            var spins = 0
            func outOfTime() -> Bool {
                spins += 1
                return spins % 256 == 0 && deadline.hasPassed
            }
            while pushed < total {
                let burst = min(pushed % 4 + 1, total - pushed)
                for _ in 0..<burst {
                    while !sending.push(pushed) {
                        if outOfTime() {
                            producerGaveUp.value = true
                            return
                        }
                        sched_yield()
                    }
                    pushed += 1
                    if sending.takeWakeRequest() { wake.signal() }
                }
                // Nothing more to push until the consumer has taken everything.
                while consumed.load(ordering: .acquiring) < pushed {
                    if outOfTime() || (spins % 256 == 0 && consumerGaveUp()) {
                        producerGaveUp.value = true
                        return
                    }
                    sched_yield()
                }
            }
        }

        #expect(producer.join(seconds: 30), "producer thread did not finish")
        #expect(consumer.join(seconds: 30), "consumer thread did not finish")
        let result = outcome.value
        #expect(!producerGaveUp.value)
        #expect(!result.timedOut)
        #expect(result.received == total)
        #expect(result.outOfOrder == 0)
        #expect(result.lostWakeUps == 0)
        #expect(result.sleeps >= 1)
    }
}
