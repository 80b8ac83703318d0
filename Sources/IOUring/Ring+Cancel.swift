extension Ring {
    /// Cancels the in-flight operation tagged `target`. Its own completion is skipped on success;
    /// the cancelled operation completes with `-ECANCELED` (or its real result if it won the race).
    public func prepareCancel(target: UserData, userData: UserData) {
        enqueue(.cancel(target: target, userData: userData))
    }

    /// Cancels every operation in flight on `fd`.
    public func prepareCancelAll(fd: Int32, userData: UserData) {
        enqueue(.cancelAll(fd: fd, userData: userData))
    }
}
