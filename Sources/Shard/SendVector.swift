import Glibc

/// The msghdr and iovec array of one gathering send (`sendmsg`), which the kernel reads
/// until the send completes. Pooled per shard: a connection holds one only while such a
/// send is in flight, so idle connections cost nothing here.
final class SendVector {
    static let capacity = 64
    let message: UnsafeMutablePointer<msghdr>
    let iovecs: UnsafeMutablePointer<iovec>

    init() {
        message = .allocate(capacity: 1)
        message.initialize(to: msghdr())
        iovecs = .allocate(capacity: Self.capacity)
    }

    deinit {
        message.deallocate()
        iovecs.deallocate()
    }

    func prepare(count: Int) -> UnsafePointer<msghdr> {
        message.pointee = msghdr()
        message.pointee.msg_iov = iovecs
        message.pointee.msg_iovlen = count
        return UnsafePointer(message)
    }
}
