import CLibUring
import Glibc

/// A provided-buffer ring: `count` buffers of `size` bytes the kernel picks from for
/// multishot receives in buffer group `groupID`.
///
/// A completion lends one buffer; the owner copies or parses it and gives it back with
/// `recycle` in the same loop turn, then `commit` publishes the returned buffers at once.
public final class BufferRing {
    public let groupID: UInt16
    public let count: Int
    public let size: Int
    private let ringMemory: UnsafeMutablePointer<io_uring_buf_ring>
    private let buffers: UnsafeMutableRawPointer
    private let mask: Int32
    private var returned: Int32 = 0
    /// Kept so the group can be unregistered before its memory is freed.
    private let ring: Ring
    private var registered = true

    public init(ring: Ring, groupID: UInt16, count: Int, size: Int) throws(IOUringError) {
        precondition(count > 0 && count & (count - 1) == 0 && count <= 32768, "buffer count must be a power of two")
        self.ring = ring
        self.groupID = groupID
        self.count = count
        self.size = size
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        var memory: UnsafeMutableRawPointer? = nil
        guard posix_memalign(&memory, pageSize, count * MemoryLayout<io_uring_buf>.stride) == 0, let memory else {
            throw IOUringError(errno: ENOMEM, operation: "posix_memalign(buffer ring)")
        }
        ringMemory = memory.bindMemory(to: io_uring_buf_ring.self, capacity: 1)
        guard let data = malloc(count * size) else {
            free(memory)
            throw IOUringError(errno: ENOMEM, operation: "malloc(buffers)")
        }
        buffers = data
        mask = io_uring_buf_ring_mask(UInt32(count))

        var registration = io_uring_buf_reg()
        registration.ring_addr = UInt64(UInt(bitPattern: memory))
        registration.ring_entries = UInt32(count)
        registration.bgid = groupID
        io_uring_buf_ring_init(ringMemory)
        let rc = io_uring_register_buf_ring(ring.raw, &registration, 0)
        if rc < 0 {
            registered = false  // deinit frees the memory
            throw IOUringError(errno: -rc, operation: "io_uring_register_buf_ring")
        }
        for id in 0..<count { recycle(UInt16(id)) }
        commit()
    }

    deinit {
        // Unregister first: an armed receive must never pick a buffer from freed memory.
        if registered { _ = io_uring_unregister_buf_ring(ring.raw, Int32(groupID)) }
        free(UnsafeMutableRawPointer(ringMemory))
        free(buffers)
    }

    /// The bytes the kernel wrote into buffer `id`.
    @inlinable
    public func bytes(_ id: UInt16, count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: address(of: id), count: count)
    }

    @usableFromInline
    func address(of id: UInt16) -> UnsafeMutableRawPointer { buffers + Int(id) * size }

    /// Hands buffer `id` back to the kernel (visible after `commit`).
    public func recycle(_ id: UInt16) {
        io_uring_buf_ring_add(ringMemory, address(of: id), UInt32(size), id, mask, returned)
        returned += 1
    }

    /// Gives the pages behind the buffers back to the system; the kernel faults in zeroed pages
    /// again as receives fill the buffers. Only while no buffer is lent out (every completion's
    /// buffer was recycled) and only on the ring's own thread between waits: the kernel copies
    /// received bytes in task work on that thread (with DEFER_TASKRUN, only inside
    /// `io_uring_enter`), so no byte is on its way into a buffer while its page goes.
    public func releasePages() {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (Int(bitPattern: buffers) + page - 1) & ~(page - 1)  // malloc's header stays
        let end = (Int(bitPattern: buffers) + count * size) & ~(page - 1)
        guard end > start else { return }
        _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_DONTNEED)
    }

    /// Publishes every recycled buffer with one store.
    public func commit() {
        guard returned > 0 else { return }
        io_uring_buf_ring_advance(ringMemory, returned)
        returned = 0
    }
}
