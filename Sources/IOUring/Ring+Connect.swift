import CLibUring
import Glibc

extension Ring {
    /// Connects `fd` to the address, which must stay valid until the completion arrives.
    @discardableResult
    public func prepareConnect(fd: Int32, address: UnsafePointer<sockaddr>, length: socklen_t, userData: UserData) -> Bool {
        guard let sqe = nextSQE() else { return false }
        io_uring_prep_connect(sqe, fd, address, length)
        io_uring_sqe_set_data64(sqe, userData.rawValue)
        return true
    }
}
