extension Ring {
    /// An operation that does nothing and completes at once with result 0.
    public func prepareNop(userData: UserData) {
        enqueue(.nop(userData: userData))
    }
}
