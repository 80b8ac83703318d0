import Glibc
import IOUring

/// Operation codes the tests put in `UserData.op`.
enum TestOp: UInt8 {
    case nop = 1, accept, recv, send, cancel, connect, close, message
}

extension UserData {
    init(_ op: TestOp, slot: UInt32 = 0, generation: UInt32 = 1) {
        self.init(op: op.rawValue, generation: generation, slot: slot)
    }
}

extension Ring {
    /// Submits, waits and reaps until `isDone` accepts what has been collected, or `seconds`
    /// pass. Bounded in both time and rounds; the caller asserts on what came back.
    func collect(seconds: Int = 5, until isDone: ([Completion]) -> Bool) throws(IOUringError) -> [Completion] {
        var completions: [Completion] = []
        let deadline = ContinuousClock.now + .seconds(seconds)
        var rounds = 0
        while !isDone(completions), rounds < 10_000, ContinuousClock.now < deadline {
            rounds += 1
            try submitAndWait(timeoutNanos: 50_000_000)
            _ = reap { completions.append($0) }
        }
        return completions
    }

    /// Collects until a completion tagged `tag` arrives that ends its operation (no `hasMore`).
    func collectUntilFinal(_ tag: UserData, seconds: Int = 5) throws(IOUringError) -> [Completion] {
        try collect(seconds: seconds) { $0.contains { $0.userData == tag && !$0.hasMore } }
    }

    /// Whatever is ready now, without blocking.
    func drainReady() throws(IOUringError) -> [Completion] {
        try submitAndPoll()
        var completions: [Completion] = []
        _ = reap { completions.append($0) }
        return completions
    }
}
