import Foundation
import Synchronization

/// A thread the test can join with a time limit, so a stuck worker fails the test
/// instead of hanging the whole run. Rings are single-issuer: create each inside the
/// thread that uses it.
final class JoinableThread: Sendable {
    private let finished = DispatchSemaphore(value: 0)

    init(name: String, _ body: @escaping @Sendable () -> Void) {
        let finished = self.finished
        let thread = Thread {
            body()
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// True when the thread's body returned within `seconds`.
    func join(seconds: Int) -> Bool {
        finished.wait(timeout: .now() + .seconds(seconds)) == .success
    }
}

/// A value written by one thread and read by another.
final class SharedBox<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    init(_ value: Value) { storage = Mutex(value) }

    var value: Value {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}
