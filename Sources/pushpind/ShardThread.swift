import Foundation
import IOUring

/// A named OS thread running one shard loop, joinable with a bound.
final class ShardThread: @unchecked Sendable {
    private let finished = DispatchSemaphore(value: 0)
    private let thread: Thread

    init(name: String, body: @escaping @Sendable () -> Void) {
        let done = finished
        thread = Thread {
            ThreadPlacement.nameCurrentThread(name)
            body()
            done.signal()
        }
        thread.name = name
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Waits for the thread to finish, at most `timeoutSeconds`.
    func join(timeoutSeconds: Int) {
        _ = finished.wait(timeout: .now() + .seconds(timeoutSeconds))
    }
}
