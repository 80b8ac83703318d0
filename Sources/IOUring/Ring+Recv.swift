extension Ring {
    /// Arms a multishot receive that fills buffers of `bufferGroup` (see `BufferRing`).
    /// Each completion lends one buffer; EOF is `result == 0` without `hasMore`.
    public func prepareMultishotRecv(fd: Int32, bufferGroup: UInt16, userData: UserData) {
        enqueue(.multishotRecv(fd: fd, bufferGroup: bufferGroup, userData: userData))
    }

    /// A single read into caller-owned memory that must stay valid until the completion.
    public func prepareRead(fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int, userData: UserData) {
        enqueue(.read(fd: fd, buffer: buffer, count: count, userData: userData))
    }

    /// A single receive into caller-owned memory that must stay valid until the completion.
    public func prepareRecv(fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int, userData: UserData) {
        enqueue(.recv(fd: fd, buffer: buffer, count: count, userData: userData))
    }
}
