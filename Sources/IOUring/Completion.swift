import CLibUring

/// One completion copied out of the completion queue.
public struct Completion: Sendable {
    public var userData: UserData
    /// Bytes transferred or a new fd when non-negative; `-errno` when negative.
    public var result: Int32
    public var flags: UInt32

    @inlinable
    public init(userData: UserData, result: Int32, flags: UInt32) {
        self.userData = userData
        self.result = result
        self.flags = flags
    }

    /// A multishot operation stays armed after this completion.
    @inlinable public var hasMore: Bool { flags & IORING_CQE_F_MORE != 0 }

    /// The provided buffer this completion filled, if any.
    @inlinable public var bufferID: UInt16? {
        flags & IORING_CQE_F_BUFFER != 0 ? UInt16(truncatingIfNeeded: flags >> IORING_CQE_BUFFER_SHIFT) : nil
    }
}
