import CLibUring

extension Ring {
    /// Arms a multishot accept: one completion per accepted connection (result = new fd),
    /// `hasMore` until the kernel disarms it.
    @discardableResult
    public func prepareMultishotAccept(fd: Int32, userData: UserData) -> Bool {
        guard let sqe = nextSQE() else { return false }
        io_uring_prep_multishot_accept(sqe, fd, nil, nil, 0)
        io_uring_sqe_set_data64(sqe, userData.rawValue)
        return true
    }
}
