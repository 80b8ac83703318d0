extension Ring {
    /// Posts a completion carrying `delivered` (user data) and `value` (result) into another
    /// thread's ring: the wake-up between threads, no eventfd needed.
    public func prepareMessageRing(targetFD: Int32, value: UInt32, delivered: UserData, userData: UserData) {
        enqueue(.messageRing(targetFD: targetFD, value: value, delivered: delivered, userData: userData))
    }
}
