import Glibc

extension Ring {
    /// Sends from memory the caller keeps alive until the completion arrives.
    /// `MSG_NOSIGNAL`: a peer that went away is an `-EPIPE` result, never a signal.
    public func prepareSend(fd: Int32, bytes: UnsafeRawPointer, count: Int, userData: UserData) {
        enqueue(.send(fd: fd, bytes: bytes, count: count, userData: userData))
    }

    /// Gathers several buffers into one send. `message` and everything it points to must stay
    /// valid until the completion arrives.
    public func prepareSendMessage(fd: Int32, message: UnsafePointer<msghdr>, userData: UserData) {
        enqueue(.sendMessage(fd: fd, message: message, userData: userData))
    }
}
