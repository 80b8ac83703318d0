/// Submissions that did not fit into the submission queue, oldest first.
///
/// A ring buffer that doubles when full and never shrinks: a burst larger than the queue
/// allocates only while it sets a new high-water mark, and nothing is allocated per
/// operation. Owned by one `Ring`, on its thread.
struct SubmissionFIFO: ~Copyable {
    private var storage: UnsafeMutablePointer<Submission>
    private var capacity: Int
    private var head = 0
    private(set) var count = 0

    init(capacity: Int) {
        precondition(capacity > 0 && capacity & (capacity - 1) == 0, "FIFO capacity must be a power of two")
        storage = .allocate(capacity: capacity)
        self.capacity = capacity
    }

    deinit { storage.deallocate() }  // a `Submission` is plain data: nothing to deinitialize

    var isEmpty: Bool { count == 0 }

    var first: Submission? { count > 0 ? storage[head] : nil }

    mutating func append(_ submission: Submission) {
        if count == capacity { grow() }
        (storage + ((head + count) & (capacity - 1))).initialize(to: submission)
        count += 1
    }

    mutating func removeFirst() {
        precondition(count > 0, "removeFirst on an empty FIFO")
        head = (head + 1) & (capacity - 1)
        count -= 1
    }

    private mutating func grow() {
        let larger = UnsafeMutablePointer<Submission>.allocate(capacity: capacity * 2)
        let firstRun = min(count, capacity - head)
        larger.moveInitialize(from: storage + head, count: firstRun)
        (larger + firstRun).moveInitialize(from: storage, count: count - firstRun)
        storage.deallocate()
        storage = larger
        capacity *= 2
        head = 0
    }
}
