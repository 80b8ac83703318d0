import CLibUring
import Glibc

/// One operation as a value: everything `Ring` needs to fill a submission entry for it.
///
/// `Ring` writes it into the submission queue at once, or, while the queue is full, keeps it
/// in its FIFO and writes it on the next submit. Pointers it carries (an address, a buffer, a
/// message header) must stay valid until the operation completes, exactly as when it is
/// written at once. Every payload is plain data: holding one costs no reference counting.
enum Submission {
    case nop(userData: UserData)
    case multishotAccept(fd: Int32, userData: UserData)
    case cancel(target: UserData, userData: UserData)
    case cancelAll(fd: Int32, userData: UserData)
    case close(fd: Int32, quiet: Bool, userData: UserData)
    case connect(fd: Int32, address: UnsafePointer<sockaddr>, length: socklen_t, userData: UserData)
    case messageRing(targetFD: Int32, value: UInt32, delivered: UserData, userData: UserData)
    case pollIn(fd: Int32, userData: UserData)
    case multishotRecv(fd: Int32, bufferGroup: UInt16, userData: UserData)
    case read(fd: Int32, buffer: UnsafeMutableRawPointer, count: Int, userData: UserData)
    case recv(fd: Int32, buffer: UnsafeMutableRawPointer, count: Int, userData: UserData)
    case send(fd: Int32, bytes: UnsafeRawPointer, count: Int, userData: UserData)
    case sendMessage(fd: Int32, message: UnsafePointer<msghdr>, userData: UserData)

    /// Fills `sqe`, fresh from `io_uring_get_sqe`, with this operation and its tag.
    func write(to sqe: UnsafeMutablePointer<io_uring_sqe>) {
        let tag: UserData
        switch self {
        case let .nop(userData):
            io_uring_prep_nop(sqe)
            tag = userData
        case let .multishotAccept(fd, userData):
            io_uring_prep_multishot_accept(sqe, fd, nil, nil, 0)
            tag = userData
        case let .cancel(target, userData):
            io_uring_prep_cancel64(sqe, target.rawValue, 0)
            sqe.pointee.flags |= CLU_IOSQE_CQE_SKIP_SUCCESS
            tag = userData
        case let .cancelAll(fd, userData):
            io_uring_prep_cancel_fd(sqe, fd, UInt32(IORING_ASYNC_CANCEL_ALL))
            sqe.pointee.flags |= CLU_IOSQE_CQE_SKIP_SUCCESS
            tag = userData
        case let .close(fd, quiet, userData):
            io_uring_prep_close(sqe, fd)
            if quiet { sqe.pointee.flags |= CLU_IOSQE_CQE_SKIP_SUCCESS }
            tag = userData
        case let .connect(fd, address, length, userData):
            io_uring_prep_connect(sqe, fd, address, length)
            tag = userData
        case let .messageRing(targetFD, value, delivered, userData):
            io_uring_prep_msg_ring(sqe, targetFD, value, delivered.rawValue, 0)
            sqe.pointee.flags |= CLU_IOSQE_CQE_SKIP_SUCCESS
            tag = userData
        case let .pollIn(fd, userData):
            io_uring_prep_poll_add(sqe, fd, UInt32(POLLIN))
            tag = userData
        case let .multishotRecv(fd, bufferGroup, userData):
            io_uring_prep_recv_multishot(sqe, fd, nil, 0, 0)
            sqe.pointee.flags |= CLU_IOSQE_BUFFER_SELECT
            sqe.pointee.buf_group = bufferGroup
            tag = userData
        case let .read(fd, buffer, count, userData):
            io_uring_prep_read(sqe, fd, buffer, UInt32(count), UInt64.max)  // -1: current file position
            tag = userData
        case let .recv(fd, buffer, count, userData):
            io_uring_prep_recv(sqe, fd, buffer, count, 0)
            tag = userData
        case let .send(fd, bytes, count, userData):
            io_uring_prep_send(sqe, fd, bytes, count, Int32(MSG_NOSIGNAL))
            tag = userData
        case let .sendMessage(fd, message, userData):
            io_uring_prep_sendmsg(sqe, fd, message, UInt32(MSG_NOSIGNAL))
            tag = userData
        }
        io_uring_sqe_set_data64(sqe, tag.rawValue)
    }
}
