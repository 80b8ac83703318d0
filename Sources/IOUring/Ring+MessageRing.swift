import CLibUring

extension Ring {
    /// Posts a completion carrying `delivered` (user data) and `value` (result) into another
    /// thread's ring: the wake-up between threads, no eventfd needed.
    @discardableResult
    public func prepareMessageRing(targetFD: Int32, value: UInt32, delivered: UserData, userData: UserData) -> Bool {
        guard let sqe = nextSQE() else { return false }
        io_uring_prep_msg_ring(sqe, targetFD, value, delivered.rawValue, 0)
        sqe.pointee.flags |= CLU_IOSQE_CQE_SKIP_SUCCESS
        io_uring_sqe_set_data64(sqe, userData.rawValue)
        return true
    }
}
