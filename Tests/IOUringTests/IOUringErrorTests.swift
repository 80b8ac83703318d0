import Glibc
import IOUring
import Testing

@Suite struct IOUringErrorTests {
    @Test func namesTheOperationAndTheErrno() {
        let error = IOUringError(errno: EBADF, operation: "io_uring_submit")
        #expect(error.description.hasPrefix("io_uring_submit: "))
        #expect(error.description.contains(String(cString: strerror(EBADF))))
    }

    @Test func hintsAtDisabledIOUringOnEPERM() {
        #expect(IOUringError(errno: EPERM, operation: "io_uring_queue_init").description.contains("io_uring_disabled"))
    }

    @Test func hintsAtMemlockOnENOMEM() {
        #expect(IOUringError(errno: ENOMEM, operation: "io_uring_register_buf_ring").description.contains("RLIMIT_MEMLOCK"))
        #expect(!IOUringError(errno: ENOMEM, operation: "malloc(buffers)").description.contains("RLIMIT_MEMLOCK"))
    }
}
