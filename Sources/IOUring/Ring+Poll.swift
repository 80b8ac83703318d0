import CLibUring
import Glibc

extension Ring {
    /// One-shot readiness poll on `fd` for `POLLIN`; the completion's result holds the
    /// ready events. Readiness present at submission completes at once.
    @discardableResult
    public func preparePollIn(fd: Int32, userData: UserData) -> Bool {
        guard let sqe = nextSQE() else { return false }
        io_uring_prep_poll_add(sqe, fd, UInt32(POLLIN))
        io_uring_sqe_set_data64(sqe, userData.rawValue)
        return true
    }
}
