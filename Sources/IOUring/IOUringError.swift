import Glibc

/// A failed ring operation: the errno (positive) and the name of what failed.
public struct IOUringError: Error, Sendable, CustomStringConvertible {
    public var errno: Int32
    public var operation: String

    public init(errno: Int32, operation: String) {
        self.errno = errno
        self.operation = operation
    }

    public var description: String {
        let text = String(cString: strerror(errno))
        switch errno {
        case EPERM where operation == "io_uring_queue_init":
            return "\(operation): \(text) (io_uring may be disabled: check sysctl kernel.io_uring_disabled or a seccomp profile)"
        case ENOMEM where operation.hasPrefix("io_uring"):
            return "\(operation): \(text) (raise RLIMIT_MEMLOCK or lower the ring size)"
        default:
            return "\(operation): \(text)"
        }
    }
}
