import Glibc

extension Ring {
    /// Connects `fd` to the address, which must stay valid until the completion arrives.
    public func prepareConnect(fd: Int32, address: UnsafePointer<sockaddr>, length: socklen_t, userData: UserData) {
        enqueue(.connect(fd: fd, address: address, length: length, userData: userData))
    }
}
