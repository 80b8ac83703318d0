import CLibUring

extension Ring {
    /// Arms a multishot receive that fills buffers of `bufferGroup` (see `BufferRing`).
    /// Each completion lends one buffer; EOF is `result == 0` without `hasMore`.
    @discardableResult
    public func prepareMultishotRecv(fd: Int32, bufferGroup: UInt16, userData: UserData) -> Bool {
        guard let sqe = nextSQE() else { return false }
        io_uring_prep_recv_multishot(sqe, fd, nil, 0, 0)
        sqe.pointee.flags |= CLU_IOSQE_BUFFER_SELECT
        sqe.pointee.buf_group = bufferGroup
        io_uring_sqe_set_data64(sqe, userData.rawValue)
        return true
    }

    /// A single read into caller-owned memory that must stay valid until the completion.
    @discardableResult
    public func prepareRead(fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int, userData: UserData) -> Bool {
        guard let sqe = nextSQE() else { return false }
        io_uring_prep_read(sqe, fd, buffer, UInt32(count), UInt64.max)  // -1: current file position
        io_uring_sqe_set_data64(sqe, userData.rawValue)
        return true
    }

    /// A single receive into caller-owned memory that must stay valid until the completion.
    @discardableResult
    public func prepareRecv(fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int, userData: UserData) -> Bool {
        guard let sqe = nextSQE() else { return false }
        io_uring_prep_recv(sqe, fd, buffer, count, 0)
        io_uring_sqe_set_data64(sqe, userData.rawValue)
        return true
    }
}
