import CLibUring

extension Ring {
    /// Closes `fd` asynchronously; with `quiet` the success completion is skipped.
    @discardableResult
    public func prepareClose(fd: Int32, userData: UserData, quiet: Bool = true) -> Bool {
        guard let sqe = nextSQE() else { return false }
        io_uring_prep_close(sqe, fd)
        if quiet { sqe.pointee.flags |= CLU_IOSQE_CQE_SKIP_SUCCESS }
        io_uring_sqe_set_data64(sqe, userData.rawValue)
        return true
    }
}
