import CLibUring

extension Ring {
    /// Cancels the in-flight operation tagged `target`. Its own completion is skipped on success;
    /// the cancelled operation completes with `-ECANCELED` (or its real result if it won the race).
    @discardableResult
    public func prepareCancel(target: UserData, userData: UserData) -> Bool {
        guard let sqe = nextSQE() else { return false }
        io_uring_prep_cancel64(sqe, target.rawValue, 0)
        sqe.pointee.flags |= CLU_IOSQE_CQE_SKIP_SUCCESS
        io_uring_sqe_set_data64(sqe, userData.rawValue)
        return true
    }

    /// Cancels every operation in flight on `fd`.
    @discardableResult
    public func prepareCancelAll(fd: Int32, userData: UserData) -> Bool {
        guard let sqe = nextSQE() else { return false }
        io_uring_prep_cancel_fd(sqe, fd, UInt32(IORING_ASYNC_CANCEL_ALL))
        sqe.pointee.flags |= CLU_IOSQE_CQE_SKIP_SUCCESS
        io_uring_sqe_set_data64(sqe, userData.rawValue)
        return true
    }
}
