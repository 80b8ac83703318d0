import CLibUring
import Glibc

extension Ring {
    /// Sends from memory the caller keeps alive until the completion arrives.
    /// `MSG_NOSIGNAL`: a peer that went away is an `-EPIPE` result, never a signal.
    @discardableResult
    public func prepareSend(fd: Int32, bytes: UnsafeRawPointer, count: Int, userData: UserData) -> Bool {
        guard let sqe = nextSQE() else { return false }
        io_uring_prep_send(sqe, fd, bytes, count, Int32(MSG_NOSIGNAL))
        io_uring_sqe_set_data64(sqe, userData.rawValue)
        return true
    }

    /// Gathers several buffers into one send. `message` and everything it points to must stay
    /// valid until the completion arrives.
    @discardableResult
    public func prepareSendMessage(fd: Int32, message: UnsafePointer<msghdr>, userData: UserData) -> Bool {
        guard let sqe = nextSQE() else { return false }
        io_uring_prep_sendmsg(sqe, fd, message, UInt32(MSG_NOSIGNAL))
        io_uring_sqe_set_data64(sqe, userData.rawValue)
        return true
    }
}
