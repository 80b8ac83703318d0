import CLibUring
import Glibc

/// An io_uring instance owned by exactly one thread.
///
/// Created with `SINGLE_ISSUER | DEFER_TASKRUN` when the kernel allows it, so completions are
/// only produced while the owner waits in `submitAndWait`. Not thread-safe by design: only
/// `fd` may be used by other threads, as the target of `MSG_RING`.
///
/// Preparing an operation never fails and never enters the kernel: one that does not fit
/// into the submission queue waits in a FIFO and is written into the queue by the next
/// submit, in order, before anything prepared after it (TigerBeetle's io layer does the
/// same). So operations on one socket keep the order they were prepared in.
public final class Ring {
    public let raw: UnsafeMutablePointer<io_uring>
    /// Prepared entries in the submission queue, not yet submitted; skips `io_uring_enter`
    /// when zero (and nothing waits in the FIFO).
    public private(set) var pending = 0
    /// Operations prepared while the submission queue was full, oldest first.
    private var deferred = SubmissionFIFO(capacity: 64)
    /// Operations that had to wait in the FIFO since the ring was created.
    public private(set) var deferredTotal = 0
    /// Operations waiting in the FIFO now.
    public var deferredCount: Int { deferred.count }

    public init(entries: UInt32) throws(IOUringError) {
        raw = .allocate(capacity: 1)
        var params = io_uring_params()
        params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SUBMIT_ALL
            | IORING_SETUP_COOP_TASKRUN
        params.cq_entries = entries * 4
        params.flags |= IORING_SETUP_CQSIZE
        var rc = io_uring_queue_init_params(entries, raw, &params)
        if rc == -EINVAL {
            // Older kernels: plain ring.
            params = io_uring_params()
            rc = io_uring_queue_init_params(entries, raw, &params)
        }
        if rc < 0 {
            raw.deallocate()
            throw IOUringError(errno: -rc, operation: "io_uring_queue_init")
        }
    }

    deinit {
        io_uring_queue_exit(raw)
        raw.deallocate()
    }

    /// The ring's file descriptor, the address other rings use for `MSG_RING`.
    public var fd: Int32 { raw.pointee.ring_fd }

    /// Writes `submission` into the submission queue, or queues it in the FIFO while the
    /// queue is full or earlier operations still wait there (so it cannot overtake them).
    func enqueue(_ submission: Submission) {
        if deferred.isEmpty, let sqe = io_uring_get_sqe(raw) {
            submission.write(to: sqe)
            pending += 1
            return
        }
        deferred.append(submission)
        deferredTotal += 1
    }

    /// Moves what waits in the FIFO into the submission queue, oldest first, handing each full
    /// queue to the kernel on the way. Returns how many entries those hand-overs submitted.
    /// Stops if the kernel takes nothing; the rest waits for the next submit.
    private func placeDeferred() -> Int {
        var submitted = 0
        while let next = deferred.first {
            guard let sqe = io_uring_get_sqe(raw) else {
                let rc = io_uring_submit(raw)
                guard rc > 0 else { break }
                submitted += Int(rc)
                pending = 0
                continue
            }
            next.write(to: sqe)
            deferred.removeFirst()
            pending += 1
        }
        return submitted
    }

    /// Submits everything prepared, the FIFO first; no syscall when nothing is pending.
    @discardableResult
    public func submit() throws(IOUringError) -> Int {
        let placed = placeDeferred()
        guard pending > 0 else { return placed }
        let rc = io_uring_submit(raw)
        if rc < 0 { throw IOUringError(errno: -rc, operation: "io_uring_submit") }
        pending = 0
        return placed + Int(rc)
    }

    /// Submits and waits until at least one completion is ready or `timeoutNanos` passes.
    /// EINTR and ETIME are normal wake-ups, not errors.
    public func submitAndWait(timeoutNanos: Int64) throws(IOUringError) {
        var ts = __kernel_timespec(tv_sec: timeoutNanos / 1_000_000_000, tv_nsec: timeoutNanos % 1_000_000_000)
        var cqe: UnsafeMutablePointer<io_uring_cqe>? = nil
        _ = placeDeferred()
        let rc = io_uring_submit_and_wait_timeout(raw, &cqe, 1, &ts, nil)
        pending = 0
        if rc < 0 && rc != -ETIME && rc != -EINTR && rc != -EBUSY && rc != -EAGAIN {
            throw IOUringError(errno: -rc, operation: "io_uring_submit_and_wait_timeout")
        }
    }

    /// Submits and lets the kernel run deferred work without waiting.
    public func submitAndPoll() throws(IOUringError) {
        _ = placeDeferred()
        let rc = io_uring_submit_and_get_events(raw)
        pending = 0
        if rc < 0 && rc != -EINTR && rc != -EBUSY && rc != -EAGAIN {
            throw IOUringError(errno: -rc, operation: "io_uring_submit_and_get_events")
        }
    }

    /// Copies up to `batch` completions out of the queue, advances it once, then hands them
    /// to `body`. Handlers run after the queue is released so they may prepare new entries.
    @inlinable
    public func reap(batch: Int = 256, _ body: (Completion) -> Void) -> Int {
        withUnsafeTemporaryAllocation(of: Completion.self, capacity: batch) { completions in
            var count = 0
            withUnsafeTemporaryAllocation(of: UnsafeMutablePointer<io_uring_cqe>?.self, capacity: batch) { cqes in
                let n = Int(io_uring_peek_batch_cqe(raw, cqes.baseAddress, UInt32(batch)))
                for i in 0..<n {
                    guard let cqe = cqes[i] else { continue }
                    completions[count] = Completion(
                        userData: UserData(rawValue: cqe.pointee.user_data),
                        result: cqe.pointee.res,
                        flags: cqe.pointee.flags)
                    count += 1
                }
                io_uring_cq_advance(raw, UInt32(n))
            }
            for i in 0..<count { body(completions[i]) }
            return count
        }
    }
}
