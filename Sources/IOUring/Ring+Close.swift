extension Ring {
    /// Closes `fd` asynchronously; with `quiet` the success completion is skipped.
    public func prepareClose(fd: Int32, userData: UserData, quiet: Bool = true) {
        enqueue(.close(fd: fd, quiet: quiet, userData: userData))
    }
}
