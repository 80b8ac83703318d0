extension Ring {
    /// Arms a multishot accept: one completion per accepted connection (result = new fd),
    /// `hasMore` until the kernel disarms it.
    public func prepareMultishotAccept(fd: Int32, userData: UserData) {
        enqueue(.multishotAccept(fd: fd, userData: userData))
    }
}
