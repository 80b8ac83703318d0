
extension Ring {
    /// One-shot readiness poll on `fd` for `POLLIN`; the completion's result holds the
    /// ready events. Readiness present at submission completes at once.
    public func preparePollIn(fd: Int32, userData: UserData) {
        enqueue(.pollIn(fd: fd, userData: userData))
    }
}
